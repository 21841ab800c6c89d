#include "probes/tcp/tcp_probe.h"

#include <re2/re2.h>

#include <memory>
#include <optional>

#include "agent/common/redact.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/redis/byte_stream.h"
#include "probes/redis/tls_context.h"

namespace sidecar::probes::tcp {
namespace {

using redis::ByteStream;
using redis::IoOutcome;

constexpr size_t kMaxRead = 64 * 1024;

struct TcpOptions {
  std::string host;
  uint16_t port = 0;
  IpPreference ip = IpPreference::kAny;
  redis::SslCtxPtr tls;  // null: plain TCP
  std::string server_name;
  bool verify = true;
  std::string send;
  std::shared_ptr<RE2> expect;
};

class TcpProbe : public Probe {
 public:
  explicit TcpProbe(TcpOptions options) : options_(std::move(options)) {}
  ~TcpProbe() override { Cancel(); }

  void Start(const ProbeContext& ctx, Done done) override {
    loop_ = ctx.loop;
    resolver_ = ctx.resolver;
    done_ = std::move(done);
    samples_.clear();
    received_.clear();
    sent_ = 0;
    phase_start_ = Clock::now();
    lookup_ = resolver_->Lookup(options_.host, options_.port, options_.ip,
                                [this](Result<std::vector<Address>> answer) {
                                  lookup_ = 0;
                                  OnResolved(std::move(answer));
                                });
  }

  void Cancel() override {
    if (lookup_ != 0) {
      resolver_->Cancel(lookup_);
      lookup_ = 0;
    }
    Close();
    done_ = nullptr;
  }

  std::string Target() const override {
    return std::string(options_.tls ? "tls://" : "tcp://") + options_.host + ":" +
           std::to_string(options_.port);
  }

 private:
  enum class Step { kConnect, kHandshake, kSend, kExpect };

  void EndPhase(const char* phase) {
    const TimePoint now = Clock::now();
    samples_.push_back({&kTcpDurationSeconds, {{"phase", phase}}, ToSeconds(now - phase_start_)});
    phase_start_ = now;
  }

  void OnResolved(Result<std::vector<Address>> answer) {
    EndPhase("resolve");
    if (!answer.ok() || answer.value().empty()) {
      return Fail("resolve", "resolve " + options_.host + ": " +
                                 (answer.ok() ? "no address" : answer.status().message()));
    }
    auto fd = redis::StartTcpConnect(answer.value().front());
    if (!fd.ok()) {
      return Fail("connect", "connect: " + fd.status().message());
    }
    stream_ = std::make_unique<ByteStream>(fd.value());
    step_ = Step::kConnect;
    watch_ = loop_->Watch(fd.value(), EventLoop::kWritable, [this](uint32_t) { Advance(); });
    if (watch_ == 0) {
      Fail("connect", "connect: cannot watch the socket");
    }
  }

  void Want(uint32_t events) { loop_->Modify(watch_, events); }

  void Advance() {
    if (step_ == Step::kConnect) {
      Status status = redis::FinishTcpConnect(stream_->fd());
      if (!status.ok()) return Fail("connect", "connect: " + status.message());
      EndPhase("connect");
      if (options_.tls) {
        Status tls = stream_->StartTls(
            options_.tls.get(), options_.server_name.empty() ? options_.host : options_.server_name,
            options_.verify);
        if (!tls.ok()) return Fail("tls", "tls: " + tls.message());
        step_ = Step::kHandshake;
      } else {
        step_ = Step::kSend;
      }
    }
    if (step_ == Step::kHandshake) {
      IoOutcome outcome = stream_->Handshake();
      if (!Continue(outcome, "tls")) return;
      EndPhase("tls");
      step_ = Step::kSend;
    }
    while (step_ == Step::kSend && sent_ < options_.send.size()) {
      IoOutcome outcome =
          stream_->Write(options_.send.data() + sent_, options_.send.size() - sent_);
      if (!Continue(outcome, "exchange")) return;
      sent_ += outcome.bytes;
    }
    if (step_ == Step::kSend) {
      if (!options_.expect) {
        if (!options_.send.empty()) EndPhase("exchange");
        return Succeed();
      }
      step_ = Step::kExpect;
    }
    while (step_ == Step::kExpect) {
      char buffer[4096];
      IoOutcome outcome = stream_->Read(buffer, sizeof(buffer));
      if (outcome.kind == IoOutcome::Kind::kClosed) {
        return Fail("expect", "the peer closed the connection before sending the expected answer");
      }
      if (!Continue(outcome, "exchange")) return;
      received_.append(buffer, outcome.bytes);
      if (RE2::PartialMatch(received_, *options_.expect)) {
        EndPhase("exchange");
        return Succeed();
      }
      if (received_.size() > kMaxRead) {
        return Fail("expect", "no answer matched expect in the first 64 KiB");
      }
    }
  }

  // True when the operation completed; otherwise waits or fails and returns false.
  bool Continue(const IoOutcome& outcome, const char* phase) {
    switch (outcome.kind) {
      case IoOutcome::Kind::kDone:
        return true;
      case IoOutcome::Kind::kWantRead:
        Want(EventLoop::kReadable);
        return false;
      case IoOutcome::Kind::kWantWrite:
        Want(EventLoop::kWritable);
        return false;
      case IoOutcome::Kind::kClosed:
        Fail(phase, std::string(phase) + ": the peer closed the connection");
        return false;
      case IoOutcome::Kind::kError:
        break;
    }
    if (outcome.tls_error || std::string(phase) == "tls") {
      if (outcome.error.find("expired") != std::string::npos) {
        Fail("cert_expired", "tls: certificate has expired");
      } else if (outcome.error.find("mismatch") != std::string::npos) {
        Fail("hostname_mismatch", "tls: certificate does not match the host name");
      } else {
        Fail("tls", "tls: " + outcome.error);
      }
    } else if (outcome.error.find("reset") != std::string::npos) {
      Fail("reset", "connection reset by peer");
    } else {
      Fail(phase, std::string(phase) + ": " + outcome.error);
    }
    return false;
  }

  void Close() {
    if (watch_ != 0) {
      loop_->Unwatch(watch_);
      watch_ = 0;
    }
    stream_.reset();
  }

  void Succeed() {
    ProbeResult result = ProbeResult::Healthy();
    Finish(std::move(result));
  }

  void Fail(const std::string& failure, const std::string& reason) {
    Finish(ProbeResult::Failed(failure, Redact(reason)));
  }

  void Finish(ProbeResult result) {
    Close();
    result.samples = std::move(samples_);
    samples_.clear();
    Done done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
  }

  const TcpOptions options_;
  EventLoop* loop_ = nullptr;
  Resolver* resolver_ = nullptr;
  Resolver::LookupId lookup_ = 0;
  std::unique_ptr<ByteStream> stream_;
  EventLoop::WatchId watch_ = 0;
  Step step_ = Step::kConnect;
  size_t sent_ = 0;
  std::string received_;
  TimePoint phase_start_;
  std::vector<Sample> samples_;
  Done done_;
};

}  // namespace

ProbePtr CreateTcpProbe(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  TcpOptions options;
  if (auto host = node.GetString("host")) {
    options.host = *host;
  } else {
    node.ErrorHere("missing key 'host'");
  }
  if (auto port = node.GetInt("port", 1, 65535)) {
    options.port = static_cast<uint16_t>(*port);
  } else if (!node.Has("port")) {
    node.ErrorHere("missing key 'port'");
  }
  if (auto ip = node.GetString("ip_preference")) {
    if (*ip == "ipv4") {
      options.ip = IpPreference::kIpv4;
    } else if (*ip == "ipv6") {
      options.ip = IpPreference::kIpv6;
    } else if (*ip != "any") {
      node.Error("ip_preference", "expected any, ipv4 or ipv6, got '" + *ip + "'");
    }
  }
  std::optional<config::ConfigNode> tls_map = node.GetMap("tls");
  const bool use_tls = tls_map.has_value();
  if (use_tls) {
    std::string ca_file, cert_file, key_file;
    if (tls_map) {
      ca_file = tls_map->GetString("ca_file").value_or("");
      cert_file = tls_map->GetString("cert_file").value_or("");
      key_file = tls_map->GetString("key_file").value_or("");
      options.server_name = tls_map->GetString("server_name").value_or("");
      options.verify = !tls_map->GetBool("insecure_skip_verify").value_or(false);
    }
    if (ca_file.empty()) {
      if (auto env = node.state().env("SSL_CERT_FILE"); env && !env->empty()) ca_file = *env;
    }
    auto ctx = redis::NewTlsClientContext(options.verify);
    if (!ctx.ok()) {
      node.Error("tls", ctx.status().message());
    } else {
      options.tls = ctx.value();
      if (Status status = redis::LoadTrustedCas(options.tls.get(), ca_file); !status.ok()) {
        node.Error("tls", status.message());
      }
      if (!cert_file.empty() || !key_file.empty()) {
        Status status = redis::LoadClientCertificate(options.tls.get(), cert_file, key_file);
        if (!status.ok()) node.Error("tls", status.message());
      }
    }
  }
  options.send = node.GetString("send").value_or("");
  if (auto pattern = node.GetString("expect")) {
    options.expect = std::make_shared<RE2>(*pattern, RE2::Quiet);
    if (!options.expect->ok()) {
      node.Error("expect", "invalid regular expression: " + options.expect->error());
    }
  }
  if (node.state().errors.size() != errors_before) {
    return nullptr;
  }
  return std::make_unique<TcpProbe>(std::move(options));
}

}  // namespace sidecar::probes::tcp
