#pragma once
// The fixture every integration test uses: a temporary work directory, a berthd started in
// it, and its log printed when the test fails.

#include <gtest/gtest.h>

#include <iostream>
#include <memory>

#include "integration/berthd_process.hpp"
#include "integration/http_client.hpp"

namespace berth::testing {

class BerthdTest : public ::testing::Test {
 protected:
  BerthdProcess& start(BerthdOptions options = {}) {
    berthd_ = std::make_unique<BerthdProcess>(dir_.path(), std::move(options));
    return *berthd_;
  }
  std::uint16_t port() const { return berthd_->port(); }
  /// The setup token berthd wrote to its data directory, without the line end.
  std::string setup_token() const {
    std::string token = read_file(berthd_->data_dir() / "setup-token");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
    return token;
  }

  void TearDown() override {
    if (HasFailure() && berthd_) {
      berthd_->stop();  // flushes its log
      std::cerr << "---- berthd output ----\n"
                << berthd_->output() << "---- berthd log ----\n"
                << berthd_->log() << "----\n";
    }
  }

  TempDir dir_;
  std::unique_ptr<BerthdProcess> berthd_;
};

}  // namespace berth::testing
