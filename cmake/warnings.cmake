# berth_warnings(target): the project's warning set; errors when BERTH_WERROR is on (the ci preset).
function(berth_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # In a unity build every source is #included into one file, so GCC takes each source's
    # anonymous-namespace types for a header's and warns when a coroutine frame or a test
    # fixture holds one. Each source still compiles on its own without it (make check).
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # The same set as GCC's: clang's -Wconversion also means -Wsign-conversion, which GCC's
    # does not for C++ (a clang build of the whole tree: docs/development.md).
    target_compile_options(${target} PRIVATE -Wno-sign-conversion)
  endif()
  if(BERTH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
