#include "http/stream_writer.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.hpp"

namespace berth::http {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr std::string_view kKeepaliveComment = ":\n\n";
// A keepalive shorter than this would turn the stream into a busy loop of comments.
constexpr milliseconds kShortestKeepalive{10};

// The stream's state. Members below the atomics belong to the connection's strand. The
// application holds only a StreamHandle, which refers to this weakly: a writer kept after
// the stream ended costs nothing and never reaches a connection that is gone.
class StreamState final : public LongLived, public std::enable_shared_from_this<StreamState> {
 public:
  StreamState(Connection& connection, std::size_t max_queued_bytes,
              asio::thread_pool::executor_type workers)
      : max_queued_bytes_(max_queued_bytes),
        executor_(connection.socket.get_executor()),
        workers_(std::move(workers)),
        wake_(executor_),
        connection_(&connection) {}

  // Any thread.
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  bool write(std::string bytes);
  void finish();
  void when_drained(std::function<void()> next);

  // The connection's strand.
  void end_for_shutdown() override { end("shutdown"); }
  void end(std::string_view reason);
  void watch_peer();
  asio::awaitable<void> pump(milliseconds keepalive);
  void detach() { connection_ = nullptr; }
  std::string_view end_reason() const { return end_reason_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  void on_bytes(std::string bytes);
  void notify_if_drained();

  const std::size_t max_queued_bytes_;
  const asio::any_io_executor executor_;
  const asio::thread_pool::executor_type workers_;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> queued_bytes_{0};  // accepted by write(), not yet on the socket

  asio::steady_timer wake_;  // the pump sleeps on it; new bytes, finish() and end() cancel it
  Connection* connection_;   // null once the pump has returned
  std::vector<std::string> queue_;
  bool writing_ = false;           // a batch taken from queue_ is on its way
  std::function<void()> drained_;  // when_drained()'s callback, waiting
  bool finished_ = false;
  std::string_view end_reason_;  // empty while the stream runs; always a literal
  std::uint64_t bytes_sent_ = 0;
  std::array<char, 64> discard_{};  // an SSE client has nothing to say; it is read and dropped
};

class StreamHandle final : public StreamWriter {
 public:
  explicit StreamHandle(std::weak_ptr<StreamState> state) : state_(std::move(state)) {}

  bool write(std::string bytes) override {
    const auto state = state_.lock();
    return state && state->write(std::move(bytes));
  }
  void finish() override {
    if (const auto state = state_.lock()) {
      state->finish();
    }
  }
  bool closed() const override {
    const auto state = state_.lock();
    return !state || state->closed();
  }
  void when_drained(std::function<void()> next) override {
    if (const auto state = state_.lock()) {
      state->when_drained(std::move(next));
    } else if (next) {
      next();  // the stream is gone: its source sees closed() and stops
    }
  }

 private:
  std::weak_ptr<StreamState> state_;
};

bool StreamState::write(std::string bytes) {
  if (closed()) {
    return false;
  }
  const std::size_t size = bytes.size();
  if (size == 0) {
    return true;
  }
  if (queued_bytes_.fetch_add(size) + size > max_queued_bytes_) {
    queued_bytes_.fetch_sub(size);
    if (!closed_.exchange(true)) {
      asio::post(executor_, [self = shared_from_this()] { self->end("slow_consumer"); });
    }
    return false;
  }
  asio::post(executor_, [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
    self->on_bytes(std::move(bytes));
  });
  return true;
}

void StreamState::finish() {
  if (closed_.exchange(true)) {
    return;
  }
  asio::post(executor_, [self = shared_from_this()] {
    self->finished_ = true;
    self->wake_.cancel();
  });
}

void StreamState::when_drained(std::function<void()> next) {
  asio::post(executor_, [self = shared_from_this(), next = std::move(next)]() mutable {
    self->drained_ = std::move(next);
    self->notify_if_drained();
  });
}

void StreamState::notify_if_drained() {
  if (drained_ && ((queue_.empty() && !writing_) || !end_reason_.empty())) {
    asio::post(workers_, std::exchange(drained_, nullptr));
  }
}

void StreamState::on_bytes(std::string bytes) {
  if (!end_reason_.empty()) {
    queued_bytes_.fetch_sub(bytes.size());
    return;
  }
  queue_.push_back(std::move(bytes));
  wake_.cancel();
}

void StreamState::end(std::string_view reason) {
  if (!end_reason_.empty()) {
    return;
  }
  end_reason_ = reason;
  closed_.store(true, std::memory_order_release);
  wake_.cancel();
  notify_if_drained();
  if (connection_ != nullptr) {
    boost::system::error_code ignored;
    connection_->socket.cancel(ignored);  // a write stuck on a client that stopped reading
  }
}

// A pending read is how a client that went away is noticed while nothing is being written.
void StreamState::watch_peer() {
  connection_->socket.async_read_some(
      asio::buffer(discard_),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        if (ec) {
          self->end("client_gone");
        } else if (self->end_reason_.empty() && self->connection_ != nullptr) {
          self->watch_peer();
        }
      });
}

asio::awaitable<void> StreamState::pump(milliseconds keepalive) {
  std::vector<std::string> batch;
  std::vector<asio::const_buffer> buffers;
  boost::system::error_code ec;
  while (end_reason_.empty()) {
    if (!queue_.empty()) {
      batch.swap(queue_);
      buffers.clear();
      std::size_t total = 0;
      for (const auto& chunk : batch) {
        buffers.push_back(asio::buffer(chunk));
        total += chunk.size();
      }
      writing_ = true;
      co_await asio::async_write(connection_->socket, buffers,
                                 asio::redirect_error(asio::use_awaitable, ec));
      writing_ = false;
      queued_bytes_.fetch_sub(total);
      batch.clear();
      if (ec) {
        end("client_gone");  // or already ended: then this does nothing
      } else {
        bytes_sent_ += total;
        notify_if_drained();
      }
      continue;
    }
    if (finished_) {
      end("finished");
      break;
    }
    wake_.expires_after(keepalive);
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && end_reason_.empty() && queue_.empty() && !finished_) {
      co_await asio::async_write(connection_->socket, asio::buffer(kKeepaliveComment),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        end("client_gone");
      } else {
        bytes_sent_ += kKeepaliveComment.size();
      }
    }
  }
}

}  // namespace

asio::awaitable<void> serve_stream_body(std::shared_ptr<Connection> connection,
                                        std::shared_ptr<StreamBody> body,
                                        const ConnectionContext& context, std::string request_id) {
  const auto started = steady_clock::now();
  auto state = std::make_shared<StreamState>(*connection, body->max_queued_bytes,
                                             context.workers.get_executor());
  connection->long_lived = state.get();
  if (context.stopping.load()) {
    state->end("shutdown");  // the shutdown's sweep may have passed this connection already
  } else {
    state->watch_peer();
    auto writer = std::make_shared<StreamHandle>(state);
    asio::post(context.workers, [body, writer = std::move(writer), request_id] {
      try {
        if (body->start) {
          body->start(writer);
        } else {
          writer->finish();
        }
      } catch (const std::exception& e) {
        log::error("http.stream_start_failed",
                   {{"request_id", request_id}, {"detail", std::string_view(e.what())}});
        writer->finish();
      } catch (...) {
        log::error("http.stream_start_failed",
                   {{"request_id", request_id}, {"detail", std::string_view("unknown")}});
        writer->finish();
      }
    });
  }
  co_await state->pump(std::max(body->keepalive, kShortestKeepalive));
  connection->long_lived = nullptr;
  state->detach();
  const auto millis =
      std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
  log::info("http.stream_closed", {{"request_id", request_id},
                                   {"reason", state->end_reason()},
                                   {"bytes", static_cast<std::int64_t>(state->bytes_sent())},
                                   {"duration_ms", static_cast<std::int64_t>(millis)}});
}

}  // namespace berth::http
