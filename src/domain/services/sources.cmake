# Managed services (issue 15): what a service is and what it becomes on a server.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/service_spec.cpp)
