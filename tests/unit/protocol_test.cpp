#include <gtest/gtest.h>

#include <string>

#include "protocol/envelope.hpp"

namespace berth::protocol {
namespace {

using nlohmann::json;

json valid_frame() {
  return {
      {"v", 1}, {"id", "m-1"}, {"ts", 1700000000000}, {"type", "cmd"}, {"payload", json::object()}};
}

// Decodes `frame` and expects a refusal with `code` (and, when given, details.field == field).
void expect_refused(const std::string& frame, const std::string& code,
                    const std::string& field = {}) {
  const auto result = decode_envelope(frame);
  ASSERT_FALSE(result.has_value()) << frame;
  EXPECT_EQ(result.error().kind, ErrorKind::invalid) << frame;
  EXPECT_EQ(result.error().code, code) << frame;
  if (!field.empty()) {
    EXPECT_EQ(result.error().details.value("field", ""), field) << frame;
  }
}

void expect_refused(const json& frame, const std::string& code, const std::string& field = {}) {
  expect_refused(frame.dump(), code, field);
}

TEST(MessageType, EveryTypeRoundTripsThroughItsName) {
  for (int i = 0; i <= static_cast<int>(MessageType::error); ++i) {
    const auto type = static_cast<MessageType>(i);
    EXPECT_EQ(parse_message_type(message_type_name(type)), type);
  }
  EXPECT_EQ(message_type_name(MessageType::job_done), "job_done");
  EXPECT_FALSE(parse_message_type("JOB_DONE").has_value());
  EXPECT_FALSE(parse_message_type("").has_value());
}

TEST(Envelope, DecodesAValidFrame) {
  const auto result = decode_envelope(valid_frame().dump());
  ASSERT_TRUE(result.has_value()) << result.error().code;
  EXPECT_EQ(result->v, 1);
  EXPECT_EQ(result->id, "m-1");
  EXPECT_EQ(result->ts, 1700000000000);
  EXPECT_EQ(result->type, "cmd");
  EXPECT_TRUE(result->ref.empty());
  EXPECT_EQ(result->payload, json::object());
}

TEST(Envelope, RoundTripsWithRefAndPayload) {
  const Envelope sent = make_envelope(MessageType::job_done, "agent:42.a_b-C", 12,
                                      {{"job_id", "job_1"}, {"exit_code", 0}}, "srv-7");
  const std::string frame = encode_envelope(sent);
  const auto received = decode_envelope(frame);
  ASSERT_TRUE(received.has_value()) << received.error().code;
  EXPECT_EQ(received->v, sent.v);
  EXPECT_EQ(received->id, sent.id);
  EXPECT_EQ(received->ts, sent.ts);
  EXPECT_EQ(received->type, "job_done");
  EXPECT_EQ(received->ref, "srv-7");
  EXPECT_EQ(received->payload, sent.payload);
  EXPECT_EQ(encode_envelope(*received), frame);
}

TEST(Envelope, EncodeIsCompactAndOmitsAnEmptyRef) {
  const std::string frame =
      encode_envelope(make_envelope(MessageType::ping, "p1", 5, json::object()));
  EXPECT_EQ(frame, R"({"id":"p1","payload":{},"ts":5,"type":"ping","v":1})");
  EXPECT_EQ(frame.find("ref"), std::string::npos);
}

TEST(Envelope, EncodeReplacesInvalidUtf8InsteadOfThrowing) {
  const Envelope envelope =
      make_envelope(MessageType::log, "l1", 1, {{"text", std::string("bad \xff byte")}});
  std::string frame;
  EXPECT_NO_THROW(frame = encode_envelope(envelope));
  EXPECT_TRUE(decode_envelope(frame).has_value());
}

TEST(Envelope, RefusesAnOversizeFrame) {
  json frame = valid_frame();
  frame["payload"] = {{"text", std::string(kMaxFrameBytes, 'x')}};
  expect_refused(frame, "frame_too_large");
  // Size is the frame's, not the JSON's: padding alone is enough to be refused.
  expect_refused(std::string(kMaxFrameBytes + 1, ' '), "frame_too_large");
}

TEST(Envelope, AcceptsAFrameOfExactlyTheLimit) {
  std::string frame = valid_frame().dump();
  frame.append(kMaxFrameBytes - frame.size(), ' ');
  EXPECT_TRUE(decode_envelope(frame).has_value());
}

TEST(Envelope, RefusesMalformedJson) {
  expect_refused(std::string(""), "malformed_json");
  expect_refused(std::string("{"), "malformed_json");
  expect_refused(std::string(R"({"v":1,})"), "malformed_json");
  expect_refused(std::string("\xff"), "malformed_json");
}

TEST(Envelope, RefusesANonObject) {
  expect_refused(std::string("[]"), "invalid_envelope", "$");
  expect_refused(std::string("1"), "invalid_envelope", "$");
  expect_refused(std::string(R"("hello")"), "invalid_envelope", "$");
  expect_refused(std::string("null"), "invalid_envelope", "$");
}

TEST(Envelope, RefusesAnotherVersion) {
  for (const json& v : {json(2), json(0), json(-1), json(18446744073709551615ULL)}) {
    json frame = valid_frame();
    frame["v"] = v;
    expect_refused(frame, "unsupported_version");
  }
  // A newer version with fields this one does not know is still a version problem.
  json frame = valid_frame();
  frame["v"] = 2;
  frame["trace"] = "t";
  expect_refused(frame, "unsupported_version");
}

TEST(Envelope, RefusesAMissingOrMistypedVersion) {
  for (const json& v : {json("1"), json(1.0), json(true), json(nullptr)}) {
    json frame = valid_frame();
    frame["v"] = v;
    expect_refused(frame, "invalid_envelope", "v");
  }
  json frame = valid_frame();
  frame.erase("v");
  expect_refused(frame, "invalid_envelope", "v");
}

TEST(Envelope, RefusesAnUnknownField) {
  json frame = valid_frame();
  frame["extra"] = 1;
  expect_refused(frame, "invalid_envelope", "extra");
}

TEST(Envelope, RefusesBadIds) {
  for (const json& id : {json(""), json("has space"), json("slash/"), json("é"), json(7),
                         json(std::string(kMaxMessageIdLength + 1, 'a')), json(nullptr)}) {
    json frame = valid_frame();
    frame["id"] = id;
    expect_refused(frame, "invalid_envelope", "id");
  }
  json frame = valid_frame();
  frame.erase("id");
  expect_refused(frame, "invalid_envelope", "id");

  frame = valid_frame();
  frame["id"] = std::string(kMaxMessageIdLength, 'a');
  EXPECT_TRUE(decode_envelope(frame.dump()).has_value());
}

TEST(Envelope, RefusesBadRefs) {
  for (const json& ref : {json(""), json("a b"), json(3), json(nullptr),
                          json(std::string(kMaxMessageIdLength + 1, 'r'))}) {
    json frame = valid_frame();
    frame["ref"] = ref;
    expect_refused(frame, "invalid_envelope", "ref");
  }
}

TEST(Envelope, RefusesBadTimestamps) {
  for (const json& ts :
       {json(-1), json(1.5), json("1"), json(nullptr), json(18446744073709551615ULL)}) {
    json frame = valid_frame();
    frame["ts"] = ts;
    expect_refused(frame, "invalid_envelope", "ts");
  }
  json frame = valid_frame();
  frame.erase("ts");
  expect_refused(frame, "invalid_envelope", "ts");

  frame = valid_frame();
  frame["ts"] = 0;
  EXPECT_TRUE(decode_envelope(frame.dump()).has_value());
}

TEST(Envelope, RefusesAnUnknownOrMistypedType) {
  for (const json& type : {json("reboot"), json("CMD"), json(""), json(1), json(nullptr)}) {
    json frame = valid_frame();
    frame["type"] = type;
    expect_refused(frame, "invalid_envelope", "type");
  }
  json frame = valid_frame();
  frame.erase("type");
  expect_refused(frame, "invalid_envelope", "type");
}

TEST(Envelope, RefusesAMissingOrNonObjectPayload) {
  for (const json& payload : {json::array(), json("x"), json(1), json(nullptr)}) {
    json frame = valid_frame();
    frame["payload"] = payload;
    expect_refused(frame, "invalid_envelope", "payload");
  }
  json frame = valid_frame();
  frame.erase("payload");
  expect_refused(frame, "invalid_envelope", "payload");
}

}  // namespace
}  // namespace berth::protocol
