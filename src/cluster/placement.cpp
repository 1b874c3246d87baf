// SPDX-License-Identifier: MIT
#include <hollywood/cluster/placement.hpp>

#include <cstring>
#include <string>

namespace hollywood::cluster {
namespace {

constexpr std::uint32_t rotl32(std::uint32_t x, int r) noexcept {
  return (x << r) | (x >> (32 - r));
}

constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  // splitmix64's finaliser: spreads the two 32-bit hashes over all 64 bits.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::uint32_t murmur3_x86_32(std::string_view data, std::uint32_t seed) noexcept {
  constexpr std::uint32_t c1 = 0xcc9e2d51;
  constexpr std::uint32_t c2 = 0x1b873593;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t len = data.size();
  const std::size_t blocks = len / 4;
  std::uint32_t h = seed;
  for (std::size_t i = 0; i < blocks; ++i) {
    // Little-endian reads, as the reference implementation does on x86.
    std::uint32_t k = static_cast<std::uint32_t>(bytes[4 * i]) |
                      (static_cast<std::uint32_t>(bytes[4 * i + 1]) << 8) |
                      (static_cast<std::uint32_t>(bytes[4 * i + 2]) << 16) |
                      (static_cast<std::uint32_t>(bytes[4 * i + 3]) << 24);
    k *= c1;
    k = rotl32(k, 15);
    k *= c2;
    h ^= k;
    h = rotl32(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const unsigned char* tail = bytes + blocks * 4;
  std::uint32_t k = 0;
  switch (len & 3U) {
    case 3:
      k ^= static_cast<std::uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<std::uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = rotl32(k, 15);
      k *= c2;
      h ^= k;
      break;
    default:
      break;
  }
  h ^= static_cast<std::uint32_t>(len);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

std::uint32_t shard_of(std::string_view kind, std::string_view id,
                       std::uint32_t shard_count) noexcept {
  // Hash "kind/id" without building the string: feed it through one buffer when it is short.
  char buf[256];
  const std::size_t n = kind.size() + 1 + id.size();
  std::uint32_t h = 0;
  if (n <= sizeof(buf)) {
    std::memcpy(buf, kind.data(), kind.size());
    buf[kind.size()] = '/';
    std::memcpy(buf + kind.size() + 1, id.data(), id.size());
    h = murmur3_x86_32(std::string_view(buf, n));
  } else {
    std::string s;
    s.reserve(n);
    s.append(kind).push_back('/');
    s.append(id);
    h = murmur3_x86_32(s);
  }
  return shard_count == 0 ? 0 : h % shard_count;
}

std::uint64_t rendezvous_score(std::string_view kind, std::uint32_t shard,
                               std::string_view member_name) noexcept {
  const std::uint64_t member = murmur3_x86_32(member_name, 0x9747b28cU);
  const std::uint64_t where = (static_cast<std::uint64_t>(murmur3_x86_32(kind)) << 32) | shard;
  return mix64(where ^ mix64(member));
}

}  // namespace hollywood::cluster
