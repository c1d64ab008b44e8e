# The kernel: the vocabulary two or more areas share (the service context, who is asking, the
# audit entry, paging, team roles, the event hub). Types and small functions only, no services:
# every area depends down on it and on nothing of another area's to speak this vocabulary.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/in_process_event_hub.cpp
  ${CMAKE_CURRENT_LIST_DIR}/paging.cpp
  ${CMAKE_CURRENT_LIST_DIR}/team_access.cpp)
