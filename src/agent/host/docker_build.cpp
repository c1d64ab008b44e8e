// docker.build: the context directory goes to the Engine as a tar made with libarchive (loaded
// on first use: archive_api.hpp; no `tar` process, no shell), and the build's JSON lines come
// back as job output while they arrive. The classic builder answers with {"stream"}, {"status"},
// {"aux":{"ID"}} and, on failure, {"error","errorDetail"} lines.

#include <filesystem>
#include <fstream>
#include <memory>

#include "agent/host/archive_api.hpp"
#include "agent/host/docker_args.hpp"
#include "agent/host/docker_job.hpp"

namespace berth::agent::host {
namespace {

namespace fs = std::filesystem;

// A bigger context is almost certainly a mistake (a data folder without .dockerignore).
constexpr std::size_t kMaxContextBytes = 1024ULL * 1024 * 1024;

// Where the tar goes, and the library that writes it (for the write callback's errors).
struct TarSink {
  const ArchiveApi& api;
  std::string out = {};
};

la_ssize_t append_to_string(archive* a, void* client, const void* data, size_t size) {
  auto& sink = *static_cast<TarSink*>(client);
  if (sink.out.size() + size > kMaxContextBytes) {
    sink.api.set_error(a, EFBIG, "the build context is larger than 1 GiB");
    return -1;
  }
  sink.out.append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

Result<std::string> tar_context(const std::string& dir) {
  const auto failure = [](std::string message) {
    return Error{.kind = ErrorKind::unprocessable,
                 .code = "build_failed",
                 .message = std::move(message),
                 .internal_detail = {}};
  };
  auto loaded = ArchiveApi::get();
  if (!loaded) {
    return fail(failure(loaded.error().message));
  }
  const ArchiveApi& api = **loaded;
  TarSink sink{.api = api};
  const auto free_writer = [&api](archive* a) { api.write_free(a); };
  const auto free_disk = [&api](archive* a) { api.read_free(a); };
  const auto free_entry = [&api](archive_entry* e) { api.entry_free(e); };
  std::unique_ptr<archive, decltype(free_writer)> writer(api.write_new(), free_writer);
  std::unique_ptr<archive, decltype(free_disk)> disk(api.read_disk_new(), free_disk);
  api.write_set_format_pax_restricted(writer.get());
  api.read_disk_set_symlink_physical(disk.get());
  api.read_disk_set_standard_lookup(disk.get());
  if (api.write_open(writer.get(), &sink, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    return fail(failure(api.error_string(writer.get())));
  }
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (path.filename() == ".git") {
      it.disable_recursion_pending();  // history is not part of the image
      continue;
    }
    std::unique_ptr<archive_entry, decltype(free_entry)> entry(api.entry_new(), free_entry);
    api.entry_copy_pathname(entry.get(), path.c_str());
    api.entry_copy_sourcepath(entry.get(), path.c_str());
    if (api.read_disk_entry_from_file(disk.get(), entry.get(), -1, nullptr) != ARCHIVE_OK) {
      return fail(failure("cannot read " + path.string() + ": " + api.error_string(disk.get())));
    }
    api.entry_copy_pathname(entry.get(), path.lexically_relative(dir).c_str());
    if (api.write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
      return fail(failure(api.error_string(writer.get())));
    }
    if (api.entry_filetype(entry.get()) != AE_IFREG) {
      continue;
    }
    std::ifstream file(path, std::ios::binary);
    char buffer[64 * 1024];
    while (file) {
      file.read(buffer, sizeof buffer);
      const auto got = file.gcount();
      if (got > 0 && api.write_data(writer.get(), buffer, static_cast<size_t>(got)) < 0) {
        return fail(failure(api.error_string(writer.get())));
      }
    }
  }
  if (ec) {
    return fail(failure("cannot read the build context: " + ec.message()));
  }
  if (api.write_close(writer.get()) != ARCHIVE_OK) {
    return fail(failure(api.error_string(writer.get())));
  }
  return std::move(sink.out);
}

// Splits the build's answer into JSON lines and keeps what the result needs.
class BuildStream {
 public:
  explicit BuildStream(JobOutput& output) : output_(output) {}

  void feed(std::string_view chunk) {
    partial_.append(chunk);
    std::size_t newline;
    while ((newline = partial_.find('\n')) != std::string::npos) {
      handle(std::string_view(partial_).substr(0, newline));
      partial_.erase(0, newline + 1);
    }
  }
  void finish() {
    handle(partial_);
    partial_.clear();
  }

  const std::string& error() const { return error_; }
  const std::string& image_id() const { return image_id_; }

 private:
  void handle(std::string_view line) {
    const auto message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object()) {
      return;
    }
    for (const char* key : {"stream", "status"}) {
      if (const auto text = message.find(key); text != message.end() && text->is_string()) {
        output_.write("stdout", text->get<std::string>());
      }
    }
    if (const auto error = message.find("error"); error != message.end() && error->is_string()) {
      error_ = error->get<std::string>();
      output_.write("stderr", error_ + "\n");
    }
    const auto aux = message.find("aux");
    if (aux != message.end() && aux->is_object() && aux->contains("ID") &&
        (*aux)["ID"].is_string()) {
      image_id_ = (*aux)["ID"].get<std::string>();
    }
  }

  JobOutput& output_;
  std::string partial_;
  std::string error_;
  std::string image_id_;
};

std::string json_query(const std::map<std::string, std::string>& values) {
  return url_encode(nlohmann::json(values).dump());
}

}  // namespace

JobOutcome build_image(DockerJob& run, const std::string& work_dir) {
  auto build = parse_build_args(run.job().args, work_dir);
  if (!build) {
    return outcome_of_error(build.error());
  }
  auto context = tar_context(build->context_dir);
  if (!context) {
    return outcome_of_error(context.error());
  }
  run.job().output.write(
      "system", "sending a build context of " + std::to_string(context->size()) + " bytes\n");
  const std::string target = "/build?t=" + url_encode(build->tag) +
                             "&dockerfile=" + url_encode(build->dockerfile) +
                             "&buildargs=" + json_query(build->build_args) +
                             "&labels=" + json_query(build->labels) + "&rm=1&forcerm=1";
  BuildStream stream(run.job().output);
  auto response = run.client().stream_raw(
      "POST", target, "application/x-tar", std::move(*context),
      [&stream](std::string_view chunk) { stream.feed(chunk); }, run.limits());
  if (!response) {
    return outcome_of_error(response.error());
  }
  stream.finish();
  if (!is_success(response->status)) {
    return JobOutcome::failed("build_failed", docker_error_message(*response));
  }
  if (!stream.error().empty()) {
    return JobOutcome::failed("build_failed", stream.error());
  }
  std::string image_id = stream.image_id();
  if (image_id.empty()) {
    auto image = get_json(run, "/images/" + build->tag + "/json");
    if (!image) {
      return outcome_of_error(image.error());
    }
    image_id = image->value("Id", std::string());
  }
  return succeeded({{"image_id", image_id}, {"tag", build->tag}});
}

}  // namespace berth::agent::host
