// SmtpMailer against a real SMTP server (Debian's aiosmtpd on loopback), and its refusals.

#include "notify/smtp_mailer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "notify/smtp_sink.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

using namespace std::chrono_literals;
using testing::ClosedPort;
using testing::SmtpSink;
using testing::TempDir;

constexpr std::string_view kPassword = "hunter2-not-in-any-log";

struct Parsed {
  std::vector<std::string> headers;  // unfolded, one per entry
  std::string body;
};

/// Splits a stored message (LF or CRLF) into unfolded header lines and the body.
Parsed parse(std::string message) {
  std::erase(message, '\r');
  Parsed parsed;
  const std::size_t split = message.find("\n\n");
  const std::string head = message.substr(0, split);
  parsed.body = split == std::string::npos ? "" : message.substr(split + 2);
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t end = head.find('\n', start);
    if (end == std::string::npos) {
      end = head.size();
    }
    const std::string line = head.substr(start, end - start);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !parsed.headers.empty()) {
      parsed.headers.back() += line;
    } else {
      parsed.headers.push_back(line);
    }
    start = end + 1;
  }
  return parsed;
}

std::optional<std::string> header(const Parsed& parsed, std::string_view name) {
  const std::string prefix = std::string(name) + ": ";
  for (const auto& line : parsed.headers) {
    if (line.starts_with(prefix)) {
      return line.substr(prefix.size());
    }
  }
  return std::nullopt;
}

std::string base64_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const std::size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) {
      continue;  // '=' padding
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

class SmtpMailerSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    sink_ = SmtpSink::start(dir_.path(), why);
    if (!sink_) {
      GTEST_SKIP() << "SMTP sink unavailable: python3-aiosmtpd cannot be started "
                      "(scripts/install-deps --test installs it):\n"
                   << why;
    }
  }

  SmtpOptions plain_options() const {
    return SmtpOptions{.url = "smtp://127.0.0.1:" + std::to_string(sink_->port()),
                       .from = "berth@berth.test",
                       .username = {},
                       .password = {},
                       .require_tls = false,
                       .timeout = 10s};
  }

  Parsed only_message() const {
    const auto messages = sink_->messages();
    EXPECT_EQ(messages.size(), 1u) << sink_->log();
    return messages.empty() ? Parsed{} : parse(messages.front());
  }

  TempDir dir_;
  std::unique_ptr<SmtpSink> sink_;
};

TEST_F(SmtpMailerSinkTest, DeliversMessageWithHeadersAndBody) {
  SmtpMailer mailer(plain_options());
  const auto sent = mailer.send({.to = "ops@example.test",
                                 .subject = "Deployment web-1 succeeded",
                                 .text = "Hello,\nline two\r\n.\n..two dots\nno newline at end"});
  ASSERT_TRUE(sent) << sent.error().internal_detail << "\n" << sink_->log();

  const Parsed message = only_message();
  EXPECT_EQ(header(message, "X-RcptTo"), "ops@example.test");  // the envelope, per aiosmtpd
  EXPECT_EQ(header(message, "X-MailFrom"), "berth@berth.test");
  EXPECT_EQ(header(message, "To"), "ops@example.test");
  EXPECT_EQ(header(message, "From"), "berth@berth.test");
  EXPECT_EQ(header(message, "Subject"), "Deployment web-1 succeeded");
  EXPECT_EQ(header(message, "MIME-Version"), "1.0");
  EXPECT_EQ(header(message, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header(message, "Content-Transfer-Encoding"), "8bit");
  const std::regex date(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] )"
                        R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20[0-9]{2} )"
                        R"([0-2][0-9]:[0-5][0-9]:[0-6][0-9] \+0000)");
  EXPECT_TRUE(std::regex_match(header(message, "Date").value_or(""), date))
      << header(message, "Date").value_or("(none)");
  EXPECT_TRUE(std::regex_match(header(message, "Message-ID").value_or(""),
                               std::regex("<[0-9a-f]{32}@berth\\.test>")))
      << header(message, "Message-ID").value_or("(none)");
  // Lines of only or starting with dots survive the SMTP end-of-data convention.
  EXPECT_EQ(message.body, "Hello,\nline two\n.\n..two dots\nno newline at end\n");
}

TEST_F(SmtpMailerSinkTest, EncodesNonAsciiSubjectAndKeepsUtf8Body) {
  SmtpMailer mailer(plain_options());
  const auto sent = mailer.send(
      {.to = "ops@example.test", .subject = "Déploiement réussi ✓", .text = "Grüße aus Berth\n"});
  ASSERT_TRUE(sent) << sent.error().internal_detail << "\n" << sink_->log();

  const Parsed message = only_message();
  EXPECT_EQ(header(message, "Subject"), "=?UTF-8?B?RMOpcGxvaWVtZW50IHLDqXVzc2kg4pyT?=");
  EXPECT_EQ(message.body, "Grüße aus Berth\n");
}

TEST_F(SmtpMailerSinkTest, SplitsLongNonAsciiSubjectIntoEncodedWords) {
  std::string subject;
  for (int i = 0; i < 40; ++i) {
    subject += "ü→";  // 5 bytes each, so words must split between characters
  }
  SmtpMailer mailer(plain_options());
  const auto sent = mailer.send({.to = "ops@example.test", .subject = subject, .text = "x"});
  ASSERT_TRUE(sent) << sent.error().internal_detail << "\n" << sink_->log();

  const std::string value = header(only_message(), "Subject").value_or("");
  const std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=)");
  std::string decoded;
  int words = 0;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), word);
       it != std::sregex_iterator(); ++it) {
    EXPECT_LE(it->length(0), 75);  // RFC 2047 limit per encoded word
    decoded += base64_decode((*it)[1].str());
    ++words;
  }
  EXPECT_GT(words, 1) << value;
  EXPECT_EQ(decoded, subject) << value;
}

TEST_F(SmtpMailerSinkTest, SendsFromSeveralThreadsAtOnce) {
  SmtpMailer mailer(plain_options());
  std::vector<std::thread> threads;
  std::vector<Result<void>> results(4);
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&mailer, &results, i] {
      results[i] = mailer.send({.to = "user" + std::to_string(i) + "@example.test",
                                .subject = "Parallel " + std::to_string(i),
                                .text = "body " + std::to_string(i)});
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& result : results) {
    EXPECT_TRUE(result) << result.error().internal_detail;
  }
  std::vector<std::string> recipients;
  for (const auto& stored : sink_->messages()) {
    recipients.push_back(header(parse(stored), "To").value_or(""));
  }
  std::sort(recipients.begin(), recipients.end());
  EXPECT_EQ(recipients, (std::vector<std::string>{"user0@example.test", "user1@example.test",
                                                  "user2@example.test", "user3@example.test"}));
}

TEST_F(SmtpMailerSinkTest, RequiredTlsRefusesServerWithoutStartTls) {
  SmtpOptions options = plain_options();
  options.require_tls = true;
  SmtpMailer mailer(options);
  const auto sent = mailer.send({.to = "ops@example.test", .subject = "secret", .text = "secret"});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::unavailable);
  EXPECT_NE(sent.error().internal_detail.find("curl error"), std::string::npos)
      << sent.error().internal_detail;
  EXPECT_TRUE(sink_->messages().empty());
}

TEST_F(SmtpMailerSinkTest, InjectedHeadersAreRefusedAndNothingIsSent) {
  SmtpMailer mailer(plain_options());
  const auto bad_to = mailer.send(
      {.to = "ops@example.test\r\nBcc: victim@example.test", .subject = "hi", .text = "x"});
  const auto bad_subject = mailer.send(
      {.to = "ops@example.test", .subject = "hi\nBcc: victim@example.test", .text = "x"});
  ASSERT_FALSE(bad_to);
  ASSERT_FALSE(bad_subject);
  EXPECT_EQ(bad_to.error().kind, ErrorKind::invalid);
  EXPECT_EQ(bad_subject.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(sink_->messages().empty());
}

// These need no SMTP server: validation happens before any connection, and the failure
// paths use loopback ports this test holds itself.
SmtpOptions options_for(std::uint16_t port) {
  return SmtpOptions{.url = "smtp://127.0.0.1:" + std::to_string(port),
                     .from = "berth@berth.test",
                     .username = "berth",
                     .password = std::string(kPassword),
                     .require_tls = false,
                     .timeout = 10s};
}

void expect_invalid(const Result<void>& result, std::string_view field) {
  ASSERT_FALSE(result) << "accepted although " << field << " is malformed";
  EXPECT_EQ(result.error().kind, ErrorKind::invalid) << result.error().internal_detail;
  EXPECT_EQ(result.error().details.value("field", ""), field);
}

TEST(SmtpMailerValidationTest, RefusesLineBreaksAndMalformedAddresses) {
  const ClosedPort closed;
  SmtpMailer mailer(options_for(closed.port()));
  expect_invalid(
      mailer.send({.to = "a@example.test\r\nBcc: b@example.test", .subject = "s", .text = "t"}),
      "to");
  expect_invalid(mailer.send({.to = "a@example.test\n", .subject = "s", .text = "t"}), "to");
  expect_invalid(
      mailer.send({.to = "a@example.test", .subject = "s\r\nBcc: b@example.test", .text = "t"}),
      "subject");
  expect_invalid(mailer.send({.to = "a@example.test", .subject = "s\rX-Evil: 1", .text = "t"}),
                 "subject");
  expect_invalid(mailer.send({.to = "no-at-sign.example.test", .subject = "s", .text = "t"}), "to");
  expect_invalid(mailer.send({.to = "", .subject = "s", .text = "t"}), "to");
  expect_invalid(mailer.send({.to = "a@b@example.test", .subject = "s", .text = "t"}), "to");
  expect_invalid(
      mailer.send({.to = "a@example.test>, <b@example.test", .subject = "s", .text = "t"}), "to");
  expect_invalid(
      mailer.send({.to = std::string(250, 'a') + "@example.test", .subject = "s", .text = "t"}),
      "to");
  expect_invalid(
      mailer.send({.to = "a@example.test", .subject = std::string(256, 's'), .text = "t"}),
      "subject");
  expect_invalid(mailer.send({.to = "a@example.test", .subject = "bad \xC3 utf-8", .text = "t"}),
                 "subject");

  SmtpOptions bad_from = options_for(closed.port());
  bad_from.from = "berth@berth.test\r\nBcc: b@example.test";
  SmtpMailer injected_from(bad_from);
  expect_invalid(injected_from.send({.to = "a@example.test", .subject = "s", .text = "t"}), "from");
}

TEST(SmtpMailerFailureTest, ClosedPortIsUnavailableQuicklyAndHidesPassword) {
  const ClosedPort closed;
  SmtpMailer mailer(options_for(closed.port()));
  const auto started = std::chrono::steady_clock::now();
  const auto sent = mailer.send({.to = "ops@example.test", .subject = "s", .text = "t"});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::unavailable);
  EXPECT_LT(elapsed, 5s);  // refused at once, not the 10 s timeout
  const Error& error = sent.error();
  EXPECT_NE(error.internal_detail.find("curl error 7"), std::string::npos)
      << error.internal_detail;  // CURLE_COULDNT_CONNECT
  EXPECT_EQ(error.message.find(kPassword), std::string::npos);
  EXPECT_EQ(error.internal_detail.find(kPassword), std::string::npos);
  EXPECT_EQ(error.details.dump().find(kPassword), std::string::npos);
}

TEST(SmtpMailerFailureTest, SilentServerTimesOut) {
  // Listening but never accepting: the kernel completes the handshake, no greeting ever comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  SmtpOptions options = options_for(ntohs(address.sin_port));
  options.timeout = 1s;
  SmtpMailer mailer(options);
  const auto started = std::chrono::steady_clock::now();
  const auto sent = mailer.send({.to = "ops@example.test", .subject = "s", .text = "t"});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ::close(fd);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::unavailable);
  EXPECT_NE(sent.error().internal_detail.find("curl error 28"), std::string::npos)
      << sent.error().internal_detail;  // CURLE_OPERATION_TIMEDOUT
  EXPECT_LT(elapsed, 5s);
}

}  // namespace
}  // namespace berth
