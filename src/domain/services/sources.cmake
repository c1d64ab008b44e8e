# Managed services (issue 15): what a service is and what it becomes on a server, the service
# that runs them, and the links that give apps their credentials.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/service_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/service_records_tx.cpp
  ${CMAKE_CURRENT_LIST_DIR}/managed_services.cpp
  ${CMAKE_CURRENT_LIST_DIR}/service_operations.cpp
  ${CMAKE_CURRENT_LIST_DIR}/service_links.cpp)
