# Routing: each server's proxy route table and the lock that keeps two changes from undoing
# each other. Apps and deployments depend down on it; domains, certificates and pools land here.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/panel_route.cpp
  ${CMAKE_CURRENT_LIST_DIR}/route_edge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/route_table.cpp)
