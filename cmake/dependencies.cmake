# Every dependency comes from a Debian 12 package (scripts/install-deps installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(XCRYPT REQUIRED IMPORTED_TARGET libxcrypt)  # bcrypt for basic-auth hashes
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
if(BERTH_TESTS AND NOT BERTH_FUZZ)
  find_package(GTest REQUIRED)
endif()

# Boost.Asio/Beast are header-only; these definitions keep their instantiations smaller.
add_library(berth_boost INTERFACE)
target_link_libraries(berth_boost INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(berth_boost INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_DISABLE_BOOST_COROUTINE)
