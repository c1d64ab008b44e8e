// libFuzzer: the agent protocol's envelope decoder gets whatever an agent (or anyone holding
// a stolen agent token) sends. It must refuse with an Error, never crash, and whatever it
// accepts must encode and decode to the same envelope.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto decoded = berth::protocol::decode_envelope(frame);
  if (!decoded) {
    return 0;
  }
  const std::string again = berth::protocol::encode_envelope(*decoded);
  auto round_trip = berth::protocol::decode_envelope(again);
  if (!round_trip || round_trip->id != decoded->id || round_trip->type != decoded->type ||
      round_trip->ref != decoded->ref || round_trip->ts != decoded->ts) {
    __builtin_trap();
  }
  return 0;
}
