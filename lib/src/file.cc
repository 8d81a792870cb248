#include "assay/file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace assay {
namespace {

tl::unexpected<Error> write_error(const std::string& path, int err) {
  return make_error(ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(err));
}

// Makes a completed rename durable: fsync of the directory that holds `path`. Best effort: the
// file itself is already complete and in place.
void sync_directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string(".")
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  // mkostemp: a new file (O_EXCL) with a random name, so nothing already there (a file or a
  // symlink someone planted) is followed, truncated or keeps a wider mode.
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    return write_error(path, errno);
  }
  auto fail = [&](int err) -> Result<void> {
    ::close(fd);
    ::unlink(tmp.c_str());
    return write_error(path, err);
  };
  if (::fchmod(fd, mode) != 0) {
    return fail(errno);
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    return fail(errno);
  }
  // rename(2) replaces a symlink at `path` itself rather than the file it points to.
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return write_error(path, err);
  }
  sync_directory_of(path);
  return {};
}

}  // namespace assay
