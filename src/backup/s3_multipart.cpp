#include "backup/s3_multipart.hpp"

namespace berth::backup {

Result<S3MultipartUpload> S3MultipartUpload::begin(const S3Client& client, std::string key) {
  auto answer = client.send(S3Request{.method = "POST", .key = key, .query = {{"uploads", ""}}});
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  std::string upload_id = xml_value(answer->body, "UploadId");
  if (upload_id.empty()) {
    return fail(with_code(Error::unprocessable("the S3 server did not start a multipart upload"),
                          "s3_error"));
  }
  return S3MultipartUpload(client, std::move(key), std::move(upload_id));
}

Result<void> S3MultipartUpload::upload_part(std::string_view bytes) {
  return upload_part(bytes.size(), string_source(bytes));
}

Result<void> S3MultipartUpload::upload_part(std::uint64_t size, const BodySource& source) {
  if (parts() >= kMaxParts) {
    return fail(with_code(Error::unprocessable("the object needs more than 10,000 parts"),
                          "s3_too_many_parts"));
  }
  auto answer = client_->send(
      S3Request{.method = "PUT",
                .key = key_,
                .query = {{"partNumber", std::to_string(parts() + 1)}, {"uploadId", upload_id_}},
                .body = {},
                .stream = &source,
                .stream_size = size});
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  if (answer->etag.empty()) {
    return fail(with_code(Error::unprocessable("the S3 server answered a part without an ETag"),
                          "s3_error"));
  }
  etags_.push_back(std::move(answer->etag));
  return {};
}

Result<void> S3MultipartUpload::complete() {
  if (etags_.empty()) {
    if (auto empty = upload_part({}); !empty) {
      return empty;
    }
  }
  std::string xml = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < etags_.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags_[i] +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  auto answer = client_->send(
      S3Request{.method = "POST", .key = key_, .query = {{"uploadId", upload_id_}}, .body = xml});
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  // S3 may answer 200 with an <Error> body when assembling fails after the headers went out.
  if (answer->body.find("<Error>") != std::string::npos) {
    return fail(s3_error(200, answer->body));
  }
  return {};
}

void S3MultipartUpload::abort() {
  (void)client_->send(
      S3Request{.method = "DELETE", .key = key_, .query = {{"uploadId", upload_id_}}});
}

}  // namespace berth::backup
