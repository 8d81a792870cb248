// The floor for process start-up (docs/performance.md, "inspect start-up"): a C++ program that
// loads what the assay CLI loads (libstdc++'s iostreams and libcrypto) and does nothing else.
// Built twice: dynamically linked, and fully static.
#include <iostream>

#include <openssl/crypto.h>

int main() {
  std::cout << OpenSSL_version_num() << '\n';
  return 0;
}
