# Backups (issue 15): a team's backup destinations (S3-compatible, SFTP), their rules and test.
# The probe that reaches a destination is an interface (destination_probe.hpp) implemented by
# src/backup.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/destination_rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/destination_service.cpp)
target_sources(berth_domain PRIVATE ${CMAKE_CURRENT_LIST_DIR}/service_backups.cpp
                                    ${CMAKE_CURRENT_LIST_DIR}/service_restores.cpp)
# Scheduled backups (slice 4): cron schedules in IANA zones (date/tz.h over the system's
# zoneinfo: libhowardhinnant-date-dev), retention, policies and the scheduler.
find_package(date CONFIG REQUIRED)
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cron_schedule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backup_retention.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backup_policies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backup_scheduler.cpp)
target_link_libraries(berth_domain PRIVATE date::date-tz)
target_sources(berth_domain PRIVATE ${CMAKE_CURRENT_LIST_DIR}/backup_drills.cpp
                                    ${CMAKE_CURRENT_LIST_DIR}/volume_backups.cpp)
