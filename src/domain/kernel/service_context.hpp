#pragma once
/// What every area's services share: the store, time, randomness, ids, the instance keys, the
/// mailer and the URL the instance is reached at. Built once by the composition root and held
/// by reference, so a value set after start-up (the port chosen at bind time) is seen by all.
/// Each area's context extends AreaContext with its own policy figures.

#include <string>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/random.hpp"
#include "store/store.hpp"

namespace berth {

class Mailer;

struct ServiceContext {
  Store& store;
  const Clock& clock;
  Random& random;
  IdGenerator& ids;
  crypto::Key session_key;   // keys the hashes of session, access and refresh tokens
  crypto::Key master_key;    // encrypts secrets at rest
  Mailer* mailer = nullptr;  // null: invitation links are returned to the inviter
  /// Where users and agents reach the instance: links in mail, otpauth issuers, install
  /// commands, the URL agents dial. https when the operator published one.
  std::string public_url = "http://127.0.0.1:8080";
};

/// The base of every area's context: the shared services and short ways to reach them.
struct AreaContext {
  // Implicit on purpose: a service of an area without policy figures of its own takes the
  // shared services as they are.
  AreaContext(ServiceContext& shared) : services(shared) {}  // NOLINT(google-explicit-constructor)

  ServiceContext& services;

  Store& store() const { return services.store; }
  const Clock& clock() const { return services.clock; }
  Random& random() const { return services.random; }
  IdGenerator& ids() const { return services.ids; }
};

}  // namespace berth
