// Package prog uses the packages of the standard library added since Go
// 1.22: crypto/sha3, crypto/hkdf, crypto/pbkdf2, crypto/mlkem.
package prog

import (
	"bytes"
	"crypto/hkdf"
	"crypto/mlkem"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"hash"
)

// SHA3 hashes s with SHA-3 and SHAKE.
//
//microfn:service
func SHA3(s string) []string {
	sum256 := sha3.Sum256([]byte(s))
	sum512 := sha3.Sum512([]byte(s))
	h := sha3.New224()
	h.Write([]byte(s))
	shake := sha3.NewSHAKE128()
	shake.Write([]byte(s))
	out := make([]byte, 20)
	shake.Read(out)
	return []string{
		hex.EncodeToString(sum256[:]),
		hex.EncodeToString(sum512[:8]),
		hex.EncodeToString(h.Sum(nil)),
		hex.EncodeToString(out),
		hex.EncodeToString(sha3.SumSHAKE256([]byte(s), 16)),
	}
}

// HKDF derives keys with SHA-256 and SHA3-256.
//
//microfn:service
func HKDF(secret, salt, info string, n int) ([]string, error) {
	k1, err := hkdf.Key(sha256.New, []byte(secret), []byte(salt), info, n)
	if err != nil {
		return nil, err
	}
	k2, err := hkdf.Key(sha3.New256, []byte(secret), []byte(salt), info, n)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha512.New, []byte(secret), []byte(salt))
	if err != nil {
		return nil, err
	}
	k3, err := hkdf.Expand(sha512.New, prk, info, n)
	if err != nil {
		return nil, err
	}
	return []string{hex.EncodeToString(k1), hex.EncodeToString(k2), hex.EncodeToString(prk[:8]), hex.EncodeToString(k3)}, nil
}

// PBKDF2 derives keys from a password.
//
//microfn:service
func PBKDF2(password, salt string, iter, n int) ([]string, error) {
	var out []string
	for _, h := range []func() hash.Hash{sha256.New, sha512.New} {
		k, err := pbkdf2.Key(h, password, []byte(salt), iter, n)
		if err != nil {
			return nil, err
		}
		out = append(out, hex.EncodeToString(k))
	}
	k, err := pbkdf2.Key(sha3.New512, password, []byte(salt), iter, n)
	if err != nil {
		return nil, err
	}
	return append(out, hex.EncodeToString(k)), nil
}

// MLKEM derives a key pair from seed, encapsulates a shared key with the
// public key and decapsulates it with the private one.
//
//microfn:service
func MLKEM(seed string) (string, bool, int, error) {
	s := sha512.Sum512([]byte(seed))
	dk, err := mlkem.NewDecapsulationKey768(s[:mlkem.SeedSize])
	if err != nil {
		return "", false, 0, err
	}
	ek := dk.EncapsulationKey()
	fingerprint := sha256.Sum256(ek.Bytes())
	shared, ct := ek.Encapsulate()
	got, err := dk.Decapsulate(ct)
	if err != nil {
		return "", false, 0, err
	}
	return hex.EncodeToString(fingerprint[:8]), bytes.Equal(shared, got), len(ct), nil
}
