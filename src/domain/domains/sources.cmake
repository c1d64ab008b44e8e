# Domains (issue 14): an app's hostnames, their TLS, redirects, custom certificates and DNS
# checks. Depends on apps (the app a domain belongs to) and routing (the server's table).
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/domain_rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/certificate_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hostname_claims.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domain_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/certificate_watch.cpp)
pkg_check_modules(IDN2 IMPORTED_TARGET libidn2)
if(IDN2_FOUND)
  target_compile_definitions(berth_domain PRIVATE BERTH_HAVE_IDN2)
  target_link_libraries(berth_domain PRIVATE PkgConfig::IDN2)
endif()
find_library(BERTH_RESOLV_LIBRARY resolv REQUIRED)
target_link_libraries(berth_domain PRIVATE OpenSSL::Crypto ${BERTH_RESOLV_LIBRARY})
