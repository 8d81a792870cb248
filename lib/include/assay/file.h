// File: assay/file.h
//
// Writing a file so that no reader ever sees it half written and nothing already at its path
// is followed: private keys, PKCS#12 files, passwords and assertions (mode 0600), and public
// files the same way. The assay tools and assay-mock write every file through it.
#ifndef ASSAY_FILE_H_
#define ASSAY_FILE_H_

#include <string>
#include <string_view>
#include <sys/types.h>

#include "assay/result.h"

namespace assay {

// Writes `data` to `path`, replacing whatever is there. The bytes go to a new file in the same
// directory, created exclusively under a random name (so no file or symlink planted at a
// predictable name is followed or truncated) with `mode` permissions before any byte is
// written (the umask does not apply); it is flushed to disk and then renamed over `path`. A
// symlink at `path` is replaced, never followed, and the file it pointed to stays unchanged.
// On failure `path` is left as it was and no temporary file remains. Fails with `kIo`; the
// message names `path` and the reason.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, std::string_view data,
                                             mode_t mode = 0600);

}  // namespace assay

#endif  // ASSAY_FILE_H_
