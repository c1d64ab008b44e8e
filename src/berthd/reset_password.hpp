#pragma once
/// `berthd reset-password [--data-dir DIR] EMAIL`: the way back in for an administrator who
/// lost the password and has no other administrator or mail: whoever is root on berthd's host
/// (and can read its data dir) sets a new password. Reads it from standard input (one line);
/// audited, and every session and refresh token of the account is revoked.

#include "berthd/options.hpp"

namespace berth {

/// Runs the command; the process's exit code (0 done, 1 failed, with the reason on stderr).
int reset_password(const DaemonOptions& options);

}  // namespace berth
