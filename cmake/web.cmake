# The dashboard (web/): built with npm when its sources are in the tree, then compiled into
# berthd, so every preset serves the dashboard of the same commit.

set(BERTH_WEB_DIST "${PROJECT_SOURCE_DIR}/web/dist" CACHE PATH
    "The built dashboard (index.html, assets/) compiled into berthd")
option(BERTH_WEB_BUILD "Run npm in web/ when web/package.json exists" ON)

# Reconfigure when web/package.json appears or goes (the web sources merged into the tree).
file(GLOB berth_web_package CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/web/package.json")

# berth_web_build(<out_var>): adds `npm ci` (only when node_modules is missing or older than the
# lock file) and `npm run build` (when web's sources change), and sets <out_var> to the build's
# stamp. Sets it empty when there is nothing to build: no web/package.json (a partial tree),
# BERTH_WEB_BUILD off, or BERTH_WEB_DIST pointing at a dist built elsewhere.
function(berth_web_build out_var)
  set(web "${PROJECT_SOURCE_DIR}/web")
  set(${out_var} "" PARENT_SCOPE)
  if(NOT BERTH_WEB_BUILD OR NOT berth_web_package OR NOT BERTH_WEB_DIST STREQUAL "${web}/dist")
    return()
  endif()
  find_program(BERTH_NPM npm)
  if(NOT BERTH_NPM)
    message(FATAL_ERROR "web/package.json is here but npm is not: run scripts/install-deps")
  endif()
  # npm writes node_modules/.package-lock.json on every install: newer than the lock file
  # means node_modules is current. `npm ci` needs the lock file; without one, npm install.
  set(installed "${web}/node_modules/.package-lock.json")
  if(EXISTS "${web}/package-lock.json")
    set(install ci)
    set(lock "${web}/package-lock.json")
  else()
    set(install install)
    set(lock "")
  endif()
  add_custom_command(OUTPUT "${installed}"
    COMMAND "${BERTH_NPM}" ${install} --no-audit --no-fund
    COMMAND "${CMAKE_COMMAND}" -E touch "${installed}"
    DEPENDS "${web}/package.json" ${lock}
    WORKING_DIRECTORY "${web}"
    COMMENT "npm ${install} in web/"
    VERBATIM)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${web}/src/*" "${web}/public/*")
  foreach(name index.html vite.config.ts vite.config.js tsconfig.json tsconfig.app.json
          tsconfig.node.json)
    if(EXISTS "${web}/${name}")
      list(APPEND sources "${web}/${name}")
    endif()
  endforeach()
  set(stamp "${CMAKE_BINARY_DIR}/web/dist.stamp")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${BERTH_NPM}" run build
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${sources} "${installed}"
    WORKING_DIRECTORY "${web}"
    COMMENT "npm run build in web/ (the dashboard)"
    VERBATIM)
  set(${out_var} "${stamp}" PARENT_SCOPE)
endfunction()

# berth_embed_web(TARGET <lib> DIR <dist> [DEPENDS <files>...]): a static library defining
# http::embedded_files() over the files of <dist>, regenerated whenever one of them changes.
function(berth_embed_web)
  cmake_parse_arguments(E "" "TARGET;DIR" "DEPENDS" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}.cpp")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" "-DDIST=${E_DIR}" "-DOUT=${out}" "-DDEPFILE=${out}.d"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_web.cmake"
    DEPENDS "${PROJECT_SOURCE_DIR}/cmake/embed_web.cmake" ${E_DEPENDS}
    DEPFILE "${out}.d"
    COMMENT "Embedding ${E_DIR}"
    VERBATIM)
  add_library(${E_TARGET} STATIC "${out}")
  # One generated source with a top-level asm block: keep it out of unity batches.
  set_target_properties(${E_TARGET} PROPERTIES UNITY_BUILD OFF)
  target_link_libraries(${E_TARGET} PUBLIC berth_http)
  berth_warnings(${E_TARGET})
endfunction()
