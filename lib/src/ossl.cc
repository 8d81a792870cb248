#include "ossl.h"

#include <openssl/err.h>

namespace assay::internal {

std::string drain_errors() {
  std::string out;
  const char* file = nullptr;
  int line = 0;
  const char* func = nullptr;
  const char* data = nullptr;
  int flags = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && data[0] != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out;
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) {
    return {};
  }
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace assay::internal
