#pragma once
/// One blocking socket conversation that can still give up: each asynchronous operation runs
/// on a private io_context polled every 50 ms, and a passed deadline or a set cancel flag
/// closes the socket, which completes the pending operation with operation_aborted. Used by
/// the Docker client (unix socket) and the loopback HTTP client (TCP). Include after
/// <utility> (Boost 1.74).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>

namespace berth::agent::host {

enum class PolledStop { no, cancelled, timed_out };

template <class Protocol>
class PolledConnection {
 public:
  PolledConnection(std::chrono::milliseconds timeout, const std::atomic<bool>* cancelled)
      : deadline_(std::chrono::steady_clock::now() + timeout), cancelled_(cancelled) {}

  typename Protocol::socket& socket() { return socket_; }
  PolledStop stopped() const { return stopped_; }

  /// Starts the operation with a completion handler and waits for it.
  template <class Start>
  boost::system::error_code run(Start start) {
    bool done = false;
    boost::system::error_code result;
    start([&done, &result](boost::system::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io_.restart();
    while (!done) {
      io_.run_one_for(std::chrono::milliseconds(50));
      if (done || stopped_ != PolledStop::no) {
        continue;
      }
      if (cancelled_ != nullptr && cancelled_->load()) {
        stopped_ = PolledStop::cancelled;
      } else if (std::chrono::steady_clock::now() >= deadline_) {
        stopped_ = PolledStop::timed_out;
      }
      if (stopped_ != PolledStop::no) {
        boost::system::error_code ignored;
        socket_.close(ignored);
      }
    }
    return result;
  }

 private:
  boost::asio::io_context io_{1};
  typename Protocol::socket socket_{io_};
  std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>* cancelled_;
  PolledStop stopped_ = PolledStop::no;
};

}  // namespace berth::agent::host
