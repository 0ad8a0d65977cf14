// The exit statuses of the `edict` binary, in one place. docs/exit-status.md tells users what each means and
// which command ends with which; scripts and CI rely on them, so a value never changes meaning.
#pragma once

namespace edict::driver {

enum ExitStatus : int {
  // Done, and the answer is yes: the files check, every test passed, every shipment was decided.
  kExitOk = 0,
  // Done, and the answer is no: a test failed, a policy does not compile, `diff` found shipments decided
  // differently, `fmt --check` found a file out of layout, a REPL script had an input that failed.
  kExitNo = 1,
  // The data: a shipment row invalid or failed to evaluate (the batch went on), an input that cannot be read,
  // `diff` could not tell (a search that was not complete).
  kExitBadData = 2,
  // The command line: an unknown option, a missing or malformed argument, a value out of range, options that
  // do not go together, an output that would overwrite an input, a --stdlib or $EDICT_STDLIB that is not a
  // stdlib. (EX_USAGE of sysexits.h.)
  kExitUsage = 64,
  // A write that failed: standard output or an output file (a full disk, a closed pipe). (EX_IOERR.)
  kExitWriteFailed = 74,
};

// Each status with a line saying what it means, for `edict man` (docs/exit-status.md says it at length; a
// test checks that it lists every status here).
struct ExitStatusInfo {
  int status;
  const char* meaning;
};
inline constexpr ExitStatusInfo kExitStatuses[] = {
    {kExitOk, "done, and the answer is yes: the files check, every test passed, every shipment was decided"},
    {kExitNo,
     "done, and the answer is no: a test failed, a policy does not compile, diff found shipments decided "
     "differently, fmt --check found a file out of layout"},
    {kExitBadData,
     "bad data: a shipment row invalid or failed to evaluate (the others were decided), an input that cannot "
     "be "
     "read, diff could not tell"},
    {kExitUsage,
     "the command line is wrong: an unknown option, a bad value, options that do not go together, an output "
     "that would overwrite an input, a --stdlib or EDICT_STDLIB that is not a stdlib"},
    {kExitWriteFailed, "a write failed: standard output or an output file (a full disk, a closed pipe)"},
};

}  // namespace edict::driver
