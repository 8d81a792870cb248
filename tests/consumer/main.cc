// Builds an assertion with the installed libassay, decodes it and checks the signature.
#include <iostream>

#include "assay/assertion.h"
#include "assay/build.h"
#include "assay/key.h"
#include "assay/signature.h"
#include "assay/version.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: assay_consumer KEY.pem CERT.pem\n";
    return 2;
  }
  auto key = assay::load_credentials_file(argv[1]);
  auto cert = assay::load_credentials_file(argv[2]);
  if (!key || !cert || !key->private_key || cert->certificates.empty()) {
    std::cerr << "assay_consumer: cannot load the test key or certificate\n";
    return 1;
  }
  assay::AssertionSpec spec;
  spec.client_id = "00000000-0000-0000-0000-000000000001";
  spec.audience = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
  auto built = assay::build_assertion(spec, *key->private_key, &cert->certificates.front());
  if (!built) {
    std::cerr << "assay_consumer: " << built.error().message << "\n";
    return 1;
  }
  auto decoded = assay::decode(built->token);
  if (!decoded || !assay::verify_signature(assay::Alg::kPS256, cert->certificates.front().public_key(),
                                           decoded->signing_input(), decoded->signature_bytes())
                       .valid()) {
    std::cerr << "assay_consumer: the assertion does not verify\n";
    return 1;
  }
  std::cout << "assay_consumer: libassay " << assay::version() << " built and verified an assertion\n";
  return 0;
}
