#include "notify/smtp_mailer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "client/curl_api.hpp"
#include "core/clock.hpp"

namespace berth {

namespace {

// RFC 5321 §4.5.3.1: 64 octets of local part, 256 of path including the angle brackets.
constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxAddress = 254;
// Short enough that "Subject: " plus the subject (or its encoded words) needs no folding
// decisions beyond the encoded-word split below.
constexpr std::size_t kMaxSubject = 255;
// RFC 5321 allows 1000 octets per line including CRLF; curl's dot-stuffing may add one.
constexpr std::size_t kMaxBodyLine = 990;
// RFC 2047 caps an encoded-word at 75 characters: 45 bytes become 60 base64 characters,
// plus the 12 of "=?UTF-8?B?" and "?=".
constexpr std::size_t kEncodedWordBytes = 45;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Length of the well-formed UTF-8 sequence at `at`, or 0 when it is malformed (overlong
/// forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (at + length > text.size()) {
    return 0;
  }
  if (byte(at + 1) < low || byte(at + 1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) {
      return 0;
    }
  }
  return length;
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

std::string base64(std::string_view data) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t chunk = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (i + 1 < data.size()) {
      chunk |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    }
    if (i + 2 < data.size()) {
      chunk |= static_cast<unsigned char>(data[i + 2]);
    }
    out += kAlphabet[(chunk >> 18) & 0x3F];
    out += kAlphabet[(chunk >> 12) & 0x3F];
    out += i + 1 < data.size() ? kAlphabet[(chunk >> 6) & 0x3F] : '=';
    out += i + 2 < data.size() ? kAlphabet[chunk & 0x3F] : '=';
  }
  return out;
}

/// A plain mailbox `local@domain`: no display name, no quoting, no comments, ASCII only
/// (no SMTPUTF8). Anything that could end a header or an SMTP path is refused.
Result<void> check_address(std::string_view address, std::string_view field) {
  const std::string name(field);
  if (address.empty()) {
    return fail(Error::validation(name, name + " address is empty"));
  }
  if (address.size() > kMaxAddress) {
    return fail(Error::validation(name, name + " address is longer than 254 characters"));
  }
  for (const char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n') {
      return fail(Error::validation(name, name + " address must not contain line breaks"));
    }
    if (is_control(c) || c == ' ' || byte >= 0x80 ||
        std::string_view("<>()[],;:\"\\").find(c) != std::string_view::npos) {
      return fail(
          Error::validation(name, name + " address contains a character that is not allowed"));
    }
  }
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos) {
    return fail(Error::validation(name, name + " address must contain '@'"));
  }
  if (address.find('@', at + 1) != std::string_view::npos) {
    return fail(Error::validation(name, name + " address must contain exactly one '@'"));
  }
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPart) {
    return fail(Error::validation(name, name + " address has an empty or too long local part"));
  }
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return fail(Error::validation(name, name + " address has a malformed domain"));
  }
  return {};
}

Result<void> check_subject(std::string_view subject) {
  if (subject.size() > kMaxSubject) {
    return fail(Error::validation("subject", "subject is longer than 255 bytes"));
  }
  for (std::size_t i = 0; i < subject.size();) {
    if (subject[i] == '\r' || subject[i] == '\n') {
      return fail(Error::validation("subject", "subject must not contain line breaks"));
    }
    if (is_control(subject[i])) {
      return fail(Error::validation("subject", "subject must not contain control characters"));
    }
    const std::size_t length = utf8_length(subject, i);
    if (length == 0) {
      return fail(Error::validation("subject", "subject is not valid UTF-8"));
    }
    i += length;
  }
  return {};
}

/// The subject as a header value: as is when ASCII, else RFC 2047 encoded words, split at
/// character boundaries and folded onto continuation lines.
std::string encode_subject(std::string_view subject) {
  const bool ascii = std::all_of(subject.begin(), subject.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    return std::string(subject);
  }
  std::string out;
  std::size_t start = 0;
  while (start < subject.size()) {
    std::size_t end = start;
    while (end < subject.size()) {
      const std::size_t length = utf8_length(subject, end);  // validated: never 0
      if (end + length - start > kEncodedWordBytes) {
        break;
      }
      end += length;
    }
    if (!out.empty()) {
      out += "\r\n ";
    }
    out += "=?UTF-8?B?" + base64(subject.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

/// CRLF line endings, no line over kMaxBodyLine bytes (split at a character boundary), and
/// malformed UTF-8 or NUL replaced by U+FFFD so the charset label stays true.
std::string encode_body(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16 + 2);
  std::size_t line = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\r' || text[i] == '\n') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
      ++i;
      out += "\r\n";
      line = 0;
      continue;
    }
    const std::size_t length = utf8_length(text, i);
    const std::string_view piece =
        length == 0 || text[i] == '\0' ? kReplacement : text.substr(i, length);
    if (line + piece.size() > kMaxBodyLine) {
      out += "\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
    i += length == 0 ? 1 : length;
  }
  if (!out.ends_with("\r\n")) {
    out += "\r\n";
  }
  return out;
}

/// RFC 5322 §3.3 date-time in UTC, e.g. "Tue, 02 Dec 2025 10:15:01 +0000". Built by hand:
/// strftime's day and month names follow the process locale.
std::string format_rfc5322(TimePoint time) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                kDays.at(static_cast<std::size_t>(tm.tm_wday)).data(), tm.tm_mday,
                kMonths.at(static_cast<std::size_t>(tm.tm_mon)).data(), tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer.data();
}

struct Upload {
  std::string data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlDeleter {
  const client::CurlApi* curl;
  void operator()(CURL* handle) const { curl->easy_cleanup(handle); }
};
struct SlistDeleter {
  const client::CurlApi* curl;
  void operator()(curl_slist* list) const { curl->slist_free_all(list); }
};

}  // namespace

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)) {
  if (auto curl = client::CurlApi::get(); !curl) {
    throw std::runtime_error(curl.error().message);
  }
}

Result<void> SmtpMailer::send(const Email& email) {
  if (auto ok = check_address(email.to, "to"); !ok) {
    return ok;
  }
  if (auto ok = check_subject(email.subject); !ok) {
    return ok;
  }
  if (auto ok = check_address(options_.from, "from"); !ok) {
    return ok;
  }

  const std::string_view sender_domain =
      std::string_view(options_.from).substr(options_.from.find('@') + 1);
  Upload upload;
  std::string& data = upload.data;
  data += "Date: " + format_rfc5322(SystemClock().now()) + "\r\n";
  data += "From: " + options_.from + "\r\n";
  data += "To: " + email.to + "\r\n";
  data += "Subject: " + encode_subject(email.subject) + "\r\n";
  data += "Message-ID: <" + random_hex(random_, 16) + "@" + std::string(sender_domain) + ">\r\n";
  data += "MIME-Version: 1.0\r\n";
  data += "Content-Type: text/plain; charset=utf-8\r\n";
  data += "Content-Transfer-Encoding: 8bit\r\n";
  data += "\r\n";
  data += encode_body(email.text);

  auto library = client::CurlApi::get();
  if (!library) {
    return fail(std::move(library.error()));
  }
  const client::CurlApi& lib = **library;
  const std::unique_ptr<CURL, CurlDeleter> curl(lib.easy_init(), CurlDeleter{&lib});
  if (!curl) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  const std::string rcpt = "<" + email.to + ">";
  std::unique_ptr<curl_slist, SlistDeleter> recipients(lib.slist_append(nullptr, rcpt.c_str()),
                                                       SlistDeleter{&lib});
  if (!recipients) {
    return fail(Error::internal("curl_slist_append failed"));
  }
  const std::string mail_from = "<" + options_.from + ">";
  const long timeout_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::max(options_.timeout, std::chrono::seconds(1)))
                                                .count());
  // Without TLS required, STARTTLS is still used when the server offers it; smtps:// is TLS
  // from the first byte either way.
  const long use_ssl = static_cast<long>(options_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  CURL* handle = curl.get();
  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode result) {
    if (rc == CURLE_OK) {
      rc = result;
    }
  };
  set(lib.easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer.data()));
  set(lib.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L));
  set(lib.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
  set(lib.easy_setopt(handle, CURLOPT_URL, options_.url.c_str()));
  set(lib.easy_setopt(handle, CURLOPT_USE_SSL, use_ssl));
  set(lib.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
  set(lib.easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms));
  set(lib.easy_setopt(handle, CURLOPT_MAIL_FROM, mail_from.c_str()));
  set(lib.easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get()));
  set(lib.easy_setopt(handle, CURLOPT_READFUNCTION, &read_upload));
  set(lib.easy_setopt(handle, CURLOPT_READDATA, &upload));
  set(lib.easy_setopt(handle, CURLOPT_INFILESIZE_LARGE,
                      static_cast<curl_off_t>(upload.data.size())));
  set(lib.easy_setopt(handle, CURLOPT_UPLOAD, 1L));
  if (!options_.username.empty()) {
    set(lib.easy_setopt(handle, CURLOPT_USERNAME, options_.username.c_str()));
  }
  if (!options_.password.empty()) {
    set(lib.easy_setopt(handle, CURLOPT_PASSWORD, options_.password.c_str()));
  }
  if (rc != CURLE_OK) {
    return fail(Error::internal(std::string("curl_easy_setopt failed: ") + lib.easy_strerror(rc)));
  }

  rc = lib.easy_perform(handle);
  if (rc == CURLE_OK) {
    return {};
  }
  long response = 0;
  lib.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response);
  // Neither curl's messages nor the server's replies carry the password; the URL is left out
  // because an operator may have written credentials into it.
  Error error = Error::unavailable("the mail server could not be reached or refused the message");
  error.internal_detail = "smtp send failed: curl error " + std::to_string(static_cast<int>(rc)) +
                          " (" + lib.easy_strerror(rc) + ")";
  if (error_buffer[0] != '\0') {
    error.internal_detail += ": " + std::string(error_buffer.data());
  }
  if (response != 0) {
    error.internal_detail += "; last smtp reply " + std::to_string(response);
  }
  return fail(std::move(error));
}

}  // namespace berth
