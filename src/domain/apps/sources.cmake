# Apps, projects and env vars (issue 5): owned by the apps area.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/app_address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/app_settings.cpp
  ${CMAKE_CURRENT_LIST_DIR}/app_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/deploy_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/source_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/project_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/app_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/env_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/edge_service.cpp)
