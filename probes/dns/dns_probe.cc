#include "probes/dns/dns_probe.h"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "agent/loop/resolver.h"

namespace sidecar::probes::dns {
namespace {

class DnsProbe : public Probe {
 public:
  DnsProbe(std::string host, IpPreference preference, std::vector<std::string> expected,
           int min_answers)
      : host_(std::move(host)),
        preference_(preference),
        expected_(std::move(expected)),
        min_answers_(min_answers) {}
  ~DnsProbe() override { Cancel(); }

  void Start(const ProbeContext& ctx, Done done) override {
    resolver_ = ctx.resolver;
    done_ = std::move(done);
    const TimePoint start = Clock::now();
    lookup_ = resolver_->Lookup(host_, 0, preference_,
                                [this, start](Result<std::vector<Address>> answer) {
                                  lookup_ = 0;
                                  Finish(Evaluate(answer, ToSeconds(Clock::now() - start)));
                                });
  }

  void Cancel() override {
    if (lookup_ != 0) {
      resolver_->Cancel(lookup_);
      lookup_ = 0;
    }
    done_ = nullptr;
  }

  std::string Target() const override { return host_; }

 private:
  ProbeResult Evaluate(const Result<std::vector<Address>>& answer, double seconds) {
    if (!answer.ok()) {
      ProbeResult result =
          ProbeResult::Failed("resolve", "resolve " + host_ + ": " + answer.status().message());
      result.samples.push_back({&kDnsLookupTimeSeconds, {}, seconds});
      return result;
    }
    std::set<std::string> found;
    for (const Address& address : answer.value()) found.insert(address.ToString());
    ProbeResult result = ProbeResult::Healthy();
    for (const std::string& ip : expected_) {
      if (!found.count(ip)) {
        result = ProbeResult::Failed("answer", host_ + " did not resolve to " + ip);
        break;
      }
    }
    if (result.verdict == Verdict::kHealthy && static_cast<int>(found.size()) < min_answers_) {
      result = ProbeResult::Failed(
          "answer", host_ + " resolved to " + std::to_string(found.size()) +
                        " addresses, expected at least " + std::to_string(min_answers_));
    }
    result.samples.push_back({&kDnsLookupTimeSeconds, {}, seconds});
    result.samples.push_back({&kDnsAnswerRrs, {}, static_cast<double>(found.size())});
    return result;
  }

  void Finish(ProbeResult result) {
    Done done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
  }

  const std::string host_;
  const IpPreference preference_;
  const std::vector<std::string> expected_;
  const int min_answers_;
  Resolver* resolver_ = nullptr;
  Resolver::LookupId lookup_ = 0;
  Done done_;
};

// The canonical text of an IP address ("::0001" -> "::1"), or empty when it is not one.
std::string CanonicalIp(const std::string& text) {
  char buffer[INET6_ADDRSTRLEN] = {};
  in6_addr v6{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return inet_ntop(AF_INET, &v4, buffer, sizeof(buffer));
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return inet_ntop(AF_INET6, &v6, buffer, sizeof(buffer));
  }
  return "";
}

}  // namespace

ProbePtr CreateDnsProbe(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  auto host = node.GetString("host");
  if (!host || host->empty()) {
    node.ErrorHere("missing key 'host' (the name to resolve)");
  }
  IpPreference preference = IpPreference::kAny;
  if (auto ip = node.GetString("ip_preference")) {
    if (*ip == "ipv4") {
      preference = IpPreference::kIpv4;
    } else if (*ip == "ipv6") {
      preference = IpPreference::kIpv6;
    } else if (*ip != "any") {
      node.Error("ip_preference", "expected any, ipv4 or ipv6, got '" + *ip + "'");
    }
  }
  std::vector<std::string> expected;
  for (const std::string& ip :
       node.GetStringList("expect_addresses").value_or(std::vector<std::string>{})) {
    const std::string canonical = CanonicalIp(ip);
    if (canonical.empty()) {
      node.Error("expect_addresses", "expected IP addresses, got '" + ip + "'");
    }
    expected.push_back(canonical);
  }
  const int min_answers = static_cast<int>(node.GetInt("min_answers", 0, 1000).value_or(1));
  if (node.state().errors.size() != errors_before) {
    return nullptr;
  }
  return std::make_unique<DnsProbe>(*host, preference, std::move(expected), min_answers);
}

}  // namespace sidecar::probes::dns
