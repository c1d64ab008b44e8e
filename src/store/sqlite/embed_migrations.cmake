# cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cpp> -P embed_migrations.cmake
#
# Writes OUTPUT: a C++ file defining berth::sqlite_migrations() with every
# MIGRATIONS_DIR/NNNN_name.sql, in order. Run by the build whenever a migration changes
# (see src/store/CMakeLists.txt). Fails the build, rather than berthd at start-up, when the
# files are misnamed or their numbers have a gap.
cmake_minimum_required(VERSION 3.25)

if(NOT MIGRATIONS_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cpp> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

file(GLOB files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT files)
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no migrations in ${MIGRATIONS_DIR}")
endif()

# The SQL goes into a raw string literal, so it must not contain the literal's terminator.
set(terminator ")berth_sql\"")
set(expected 1)
set(entries "")
foreach(file IN LISTS files)
  if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration ${file}: the name must look like 0001_init.sql")
  endif()
  set(name ${CMAKE_MATCH_2})
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration ${file}: expected number ${expected}; migrations are numbered 1, 2, 3 ... without gaps")
  endif()
  file(READ ${MIGRATIONS_DIR}/${file} sql)
  string(FIND "${sql}" "${terminator}" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${file} contains ${terminator}, which ends the embedded string")
  endif()
  string(APPEND entries "    Migration{${version}, \"${name}\", R\"berth_sql(${sql})berth_sql\"},\n")
  math(EXPR expected "${expected} + 1")
endforeach()

file(WRITE ${OUTPUT} "// Generated from src/store/sqlite/migrations/*.sql by embed_migrations.cmake; do not edit.
#include <array>

#include \"store/sqlite/sqlite_migrations.hpp\"

namespace berth {

namespace {
constexpr std::array<Migration, ${count}> kMigrations{
${entries}};
}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

}  // namespace berth
")
