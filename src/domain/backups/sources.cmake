# Backups (issue 15): a team's backup destinations (S3-compatible, SFTP), their rules and test.
# The probe that reaches a destination is an interface (destination_probe.hpp) implemented by
# src/backup.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/destination_rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/destination_service.cpp)
target_sources(berth_domain PRIVATE ${CMAKE_CURRENT_LIST_DIR}/service_backups.cpp)
target_sources(berth_domain PRIVATE ${CMAKE_CURRENT_LIST_DIR}/backup_drills.cpp)
