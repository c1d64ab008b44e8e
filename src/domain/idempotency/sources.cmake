# Idempotency keys: the first answer to a POST, kept per caller and key for a day so a retry
# does not act twice. The API layer (api/idempotency_gate) is its only user.
target_sources(berth_domain PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/idempotency_service.cpp)
