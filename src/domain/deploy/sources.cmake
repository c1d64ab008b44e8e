# Deployments, the pipeline, the proxy table and triggers (issue 5).
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/deployment_service.cpp)
