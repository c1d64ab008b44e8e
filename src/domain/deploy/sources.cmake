# Deployments, the pipeline, the proxy table and triggers (issue 5).
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/deploy_log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/deploy_scheduler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/deployment_queries.cpp
  ${CMAKE_CURRENT_LIST_DIR}/deployment_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log_follows.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipeline_flows.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy_settings.cpp
  ${CMAKE_CURRENT_LIST_DIR}/step_jobs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trigger_service.cpp)
