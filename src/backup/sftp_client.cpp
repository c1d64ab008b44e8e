#include "backup/sftp_client.hpp"

namespace berth::backup {

namespace {

constexpr unsigned kFileMode = 0600;

Error coded(Error error, std::string code) {
  error.code = std::move(code);
  return error;
}

}  // namespace

Error sftp_error(Error error) {
  const int status = error.details.value("sftp_error", -1);
  if (status == 2 || status == 10) {  // SSH_FX_NO_SUCH_FILE, SSH_FX_NO_SUCH_PATH
    Error out = coded(Error::not_found("the folder or file does not exist on the SFTP server"),
                      "sftp_missing");
    out.details = std::move(error.details);
    return out;
  }
  if (status == 3) {  // SSH_FX_PERMISSION_DENIED
    Error out =
        coded(Error::unprocessable("the SFTP user may not write or read there"), "sftp_denied");
    out.details = std::move(error.details);
    return out;
  }
  return error;
}

Result<SftpClient> SftpClient::connect(const SftpSettings& settings) {
  auto session =
      ssh::SshSession::connect(ssh::SessionOptions{.host = settings.host,
                                                   .port = settings.port,
                                                   .username = settings.user,
                                                   .connect_timeout = settings.connect_timeout});
  if (!session) {
    return fail(std::move(session.error()));
  }
  auto key = session->host_key();
  if (!key) {
    return fail(std::move(key.error()));
  }
  if (!settings.host_key_fingerprint.empty() && key->fingerprint != settings.host_key_fingerprint) {
    Error error = coded(
        Error::conflict("the SFTP server's host key is not the pinned one (a different server, or "
                        "its key was changed)"),
        "host_key_changed");
    error.details = {{"expected", settings.host_key_fingerprint}, {"actual", key->fingerprint}};
    return fail(std::move(error));
  }
  auto signed_in =
      settings.private_key.empty()
          ? session->authenticate_with_password(settings.password)
          : session->authenticate_with_key(settings.private_key, settings.private_key_passphrase);
  if (!signed_in) {
    return fail(std::move(signed_in.error()));
  }
  return SftpClient(std::move(*session), settings.folder, key->fingerprint);
}

std::string SftpClient::path_of(std::string_view name) const {
  return folder_.ends_with('/') ? folder_ + std::string(name) : folder_ + "/" + std::string(name);
}

Result<void> SftpClient::put(std::string_view name, std::string_view body) {
  const BodySource source = string_source(body);
  return put_stream(name, source);
}

Result<void> SftpClient::put_stream(std::string_view name, const BodySource& source) {
  auto done = session_.write_stream("sftp.put", path_of(name), source, kFileMode);
  if (!done) {
    return fail(sftp_error(std::move(done.error())));
  }
  return {};
}

Result<void> SftpClient::get(std::string_view name, const BodySink& sink) {
  auto done = session_.read_stream("sftp.get", path_of(name), sink);
  if (!done) {
    return fail(sftp_error(std::move(done.error())));
  }
  return {};
}

Result<std::string> SftpClient::get_small(std::string_view name, std::size_t limit) {
  std::string body;
  const BodySink sink = bounded_sink(body, limit, "sftp_file_too_large");
  if (auto done = get(name, sink); !done) {
    return fail(std::move(done.error()));
  }
  return body;
}

Result<void> SftpClient::remove(std::string_view name) {
  auto done = session_.remove_file("sftp.delete", path_of(name));
  if (!done) {
    return fail(sftp_error(std::move(done.error())));
  }
  return {};
}

}  // namespace berth::backup
