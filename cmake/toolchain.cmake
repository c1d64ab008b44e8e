# Compiler launcher and sanitizer flags shared by every target.

find_program(BERTH_CCACHE ccache)
if(BERTH_CCACHE)
  # The sloppiness lets ccache cache translation units built with a precompiled header.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${BERTH_CCACHE})
endif()

# lld links the sanitizer builds' binaries (100-270 MB with their debug info; berthd, berth-agent
# and some 40 test executables) in about half the time ld.bfd takes. scripts/install-deps installs
# it; without it the default linker is used.
find_program(BERTH_LLD ld.lld)
if(BERTH_LLD)
  add_link_options(-fuse-ld=lld)
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # libstdc++ 12 hides std::expected unless __cpp_concepts says C++20 concepts are complete;
  # clang 16 implements what <expected> needs but still reports the older value.
  add_compile_options(-Wno-macro-redefined -D__cpp_concepts=202002L)
  # Boost 1.74's Asio enables co_await on clang only with <experimental/coroutine> (libc++);
  # clang 16 with libstdc++'s <coroutine> supports it (Asio finds the std coroutine support).
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1)
endif()

if(BERTH_FUZZ)
  # The sanitizers' runtimes for every binary; which libraries are instrumented (coverage and
  # sanitizers) is chosen in tests/fuzz/CMakeLists.txt.
  add_link_options(-fsanitize=address,undefined)
endif()

if(BERTH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
