#pragma once
/// Who may use a hostname, inside a write transaction. One hostname belongs to one team and
/// one server across the instance; within them, apps may share it under different path
/// prefixes (see migrations/0007_domains.sql). An app's `hostname` is its primary domain.
/// berthd's own hostname (`panel_host`, panel_hostname() of the public URL) belongs to no app.

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"

namespace berth {

/// Inside an app's write: makes the app's primary domain follow its hostname (created,
/// renamed or removed). A renamed primary goes back to pending_dns; a custom certificate that
/// no longer covers the name is dropped (the domain follows the server's TLS again).
Result<void> sync_primary_domain(Tx& tx, const AppRecord& app, IdGenerator& ids, TimePoint now,
                                 std::string_view panel_host);

/// Inside a write: `wanted` (a default hostname) when the app may use it, else the first of
/// `<first label>-2.<rest>` … `-99` that it may (a default never fails because another team
/// uses the same name); `wanted` again when none is free (the caller's check then refuses it).
Result<std::string> first_free_hostname(Tx& tx, const AppRecord& app, const std::string& wanted,
                                        std::string_view panel_host);

/// Inside a write: conflict hostname_taken unless `hostname` at `path_prefix` may be used by
/// `app` (see migrations/0007_domains.sql), or when it is `panel_host`. `except_id` is the
/// domain being changed.
Result<void> hostname_available(Tx& tx, const AppRecord& app, std::string_view hostname,
                                std::string_view path_prefix, std::string_view except_id,
                                std::string_view panel_host);

}  // namespace berth
