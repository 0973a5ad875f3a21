#!/usr/bin/env bash
# Writes a throw-away PKI for the TLS tests into the directory given (default: ./tls-certs):
#   ca.crt/ca.key          the test CA every side trusts
#   server.crt/.key        the data node's certificate (serverAuth, CN=Server-only)
#   client.crt/.key        a client certificate (clientAuth, CN=Client-only)
#   vigil.crt/.key         usable both ways (what a replica presents to its master)
#   other-ca.crt, stranger.crt/.key   a second CA and a certificate it signed (wrong CA)
#   expired.crt/.key       signed by the test CA, validity already over
#   redis.dh               DH parameters for tls-dh-params-file
# The layout matches what Redis's test suite reads from tests/tls (ca.crt, redis.crt, ...), so
# the same directory can serve its runner: redis.crt/.key are copies of vigil.crt/.key.
set -euo pipefail
out="${1:-tls-certs}"
mkdir -p "$out"
cd "$out"

key() { openssl genrsa -out "$1" 2048 2>/dev/null; }

# sign NAME CN USAGE [CA_PREFIX] [DAYS_OPTION...]
sign() {
  local name="$1" cn="$2" usage="$3" ca="${4:-ca}"
  shift 4 || shift $#
  key "$name.key"
  openssl req -new -sha256 -subj "/O=Vigil Test/CN=$cn" -key "$name.key" -out "$name.csr"
  printf 'keyUsage = digitalSignature, keyEncipherment\nsubjectAltName = IP:127.0.0.1, DNS:localhost\n%s' \
    "${usage:+extendedKeyUsage = $usage
}" >"$name.ext"
  openssl x509 -req -sha256 -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 365 \
    -extfile "$name.ext" -in "$name.csr" -out "$name.crt" "$@" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

for ca in ca other-ca; do
  key "$ca.key"
  openssl req -x509 -new -nodes -sha256 -key "$ca.key" -days 3650 \
    -subj "/O=Vigil Test/CN=$ca Certificate Authority" -out "$ca.crt"
done

sign server Server-only serverAuth ca
sign client Client-only clientAuth ca
sign vigil Generic-cert "" ca
sign stranger Stranger "" other-ca
# Already expired: valid from two days ago until yesterday.
key expired.key
openssl req -new -sha256 -subj "/O=Vigil Test/CN=Expired" -key expired.key -out expired.csr
openssl x509 -req -sha256 -CA ca.crt -CAkey ca.key -CAcreateserial \
  -not_before "$(date -u -d '-2 days' +%Y%m%d%H%M%SZ)" \
  -not_after "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
  -in expired.csr -out expired.crt 2>/dev/null || {
  # OpenSSL before 3.4 has no -not_before: a CA-signed certificate made with `openssl ca` would
  # need a config; an already-expired self-issued one via -days 0 is close enough.
  openssl x509 -req -sha256 -CA ca.crt -CAkey ca.key -CAcreateserial -days 0 \
    -in expired.csr -out expired.crt 2>/dev/null
}
rm -f expired.csr
cp vigil.crt redis.crt
cp vigil.key redis.key
# DSA-style generation: seconds instead of a minute for 2048 bits (OpenSSL 3 refuses 1024).
openssl dhparam -dsaparam -out redis.dh 2048 2>/dev/null
chmod 644 ./*.key
