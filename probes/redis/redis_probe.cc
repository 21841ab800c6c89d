#include "probes/redis/redis_probe.h"

#include <hiredis/hiredis.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>
#include <vector>

#include "agent/common/redact.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/redis/byte_stream.h"
#include "probes/redis/redis_metrics.h"
#include "probes/redis/redis_options.h"
#include "probes/redis/redis_reply.h"

namespace sidecar::probes::redis {
namespace {

// INFO server+clients+memory+replication is a few KiB; anything near this is not Redis.
constexpr size_t kMaxReplyBytes = 1 << 20;
// One INFO per section: INFO with several sections needs Redis 7, ElastiCache may run 6.
constexpr const char* kInfoSections[] = {"server", "clients", "memory", "replication"};

struct ReaderFree {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// The URL as the probe really uses it: the `username` key replaces the URL's user.
std::string TargetOf(const RedisOptions& options) {
  RedisUrl shown = options.url;
  shown.username = options.username;
  shown.password.reset();
  return FormatRedisTarget(shown, options.password.has_value());
}

class RedisProbe final : public Probe {
 public:
  explicit RedisProbe(RedisOptions options)
      : options_(std::move(options)), target_(TargetOf(options_)) {}
  ~RedisProbe() override { Release(); }

  void Start(const ProbeContext& ctx, Done done) override;
  void Cancel() override;
  std::string Target() const override { return target_; }

 private:
  enum class Step { kIdle, kResolve, kConnect, kHandshake, kAuth, kPing, kInfo };

  bool InCommands() const { return step_ >= Step::kAuth; }
  void OnResolved(Result<std::vector<Address>> addresses);
  void ConnectNext();
  void OnIo();
  void OnConnected();
  void DriveHandshake();
  void BeginCommands();
  void Send(std::vector<std::string_view> args);
  void Pump();
  void Stall(const IoOutcome& outcome);
  void OnReply(const redisReply& reply);
  void WaitFor(uint32_t events);
  void BeginPhase(Step step);
  void EndPhase(const char* phase);
  void Succeed();
  void Fail(std::string failure, const std::string& reason);
  void Finish(ProbeResult result);
  void Release();

  const RedisOptions options_;
  const std::string target_;

  EventLoop* loop_ = nullptr;
  Resolver* resolver_ = nullptr;
  Done done_;
  Step step_ = Step::kIdle;
  TimePoint phase_start_;
  std::vector<Sample> samples_;

  Resolver::LookupId lookup_ = 0;
  std::vector<Address> addresses_;
  size_t next_address_ = 0;
  std::string endpoint_;       // "10.0.0.5:6379", the address being connected to
  std::string connect_error_;  // why the last address failed

  std::unique_ptr<ByteStream> stream_;
  EventLoop::WatchId watch_ = 0;
  uint32_t watched_events_ = 0;

  std::unique_ptr<redisReader, ReaderFree> reader_;
  std::string out_;  // commands not yet sent; holds the password while AUTH is pending
  size_t out_sent_ = 0;
  size_t bytes_read_ = 0;
  int info_pending_ = 0;
  std::string info_text_;
};

void RedisProbe::Start(const ProbeContext& ctx, Done done) {
  Release();
  loop_ = ctx.loop;
  resolver_ = ctx.resolver;
  done_ = std::move(done);
  samples_.clear();
  BeginPhase(Step::kResolve);
  // Numeric hosts are answered through the loop too, so `done` never runs inside Start().
  lookup_ = resolver_->Lookup(options_.url.host, options_.url.port, IpPreference::kAny,
                              [this](Result<std::vector<Address>> addresses) {
                                lookup_ = 0;
                                OnResolved(std::move(addresses));
                              });
}

void RedisProbe::Cancel() {
  Release();
  done_ = nullptr;
}

void RedisProbe::OnResolved(Result<std::vector<Address>> addresses) {
  if (!addresses.ok()) {
    Fail("resolve", addresses.status().message());
    return;
  }
  EndPhase("resolve");
  addresses_ = std::move(*addresses);
  next_address_ = 0;
  connect_error_.clear();
  BeginPhase(Step::kConnect);
  ConnectNext();
}

// Tries the addresses in the resolver's order until one accepts.
void RedisProbe::ConnectNext() {
  while (next_address_ < addresses_.size()) {
    const Address& address = addresses_[next_address_++];
    const std::string where =
        address.family == AF_INET6 ? "[" + address.ToString() + "]" : address.ToString();
    endpoint_ = where + ":" + std::to_string(options_.url.port);
    auto fd = StartTcpConnect(address);
    if (!fd.ok()) {
      connect_error_ = fd.status().message() + " (" + endpoint_ + ")";
      continue;
    }
    stream_ = std::make_unique<ByteStream>(*fd);
    watched_events_ = EventLoop::kWritable;
    watch_ = loop_->Watch(*fd, watched_events_, [this](uint32_t) { OnIo(); });
    if (watch_ == 0) {
      stream_.reset();
      connect_error_ = "cannot watch the socket (" + endpoint_ + ")";
      continue;
    }
    return;
  }
  Fail("connect", "connect: " + connect_error_);
}

void RedisProbe::OnIo() {
  switch (step_) {
    case Step::kConnect: {
      Status connected = FinishTcpConnect(stream_->fd());
      if (connected.ok()) {
        OnConnected();
        return;
      }
      connect_error_ = connected.message() + " (" + endpoint_ + ")";
      loop_->Unwatch(watch_);
      watch_ = 0;
      stream_.reset();
      ConnectNext();
      return;
    }
    case Step::kHandshake:
      DriveHandshake();
      return;
    case Step::kAuth:
    case Step::kPing:
    case Step::kInfo:
      Pump();
      return;
    case Step::kIdle:
    case Step::kResolve:
      return;
  }
}

void RedisProbe::OnConnected() {
  EndPhase("connect");
  if (!options_.url.tls) {
    BeginCommands();
    return;
  }
  BeginPhase(Step::kHandshake);
  Status tls = stream_->StartTls(options_.tls_context.get(), options_.server_name, options_.verify);
  if (!tls.ok()) {
    Fail("tls", "tls: " + tls.message());
    return;
  }
  DriveHandshake();
}

void RedisProbe::DriveHandshake() {
  IoOutcome outcome = stream_->Handshake();
  switch (outcome.kind) {
    case IoOutcome::Kind::kDone:
      EndPhase("tls");
      BeginCommands();
      return;
    case IoOutcome::Kind::kWantRead:
      WaitFor(EventLoop::kReadable);
      return;
    case IoOutcome::Kind::kWantWrite:
      WaitFor(EventLoop::kWritable);
      return;
    case IoOutcome::Kind::kClosed:
    case IoOutcome::Kind::kError:
      Fail("tls", "tls: " + outcome.error);
      return;
  }
}

void RedisProbe::BeginCommands() {
  reader_.reset(redisReaderCreate());
  if (!reader_) {
    Fail("protocol", "out of memory");
    return;
  }
  if (options_.password) {
    BeginPhase(Step::kAuth);
    if (options_.username.empty()) {
      Send({"AUTH", *options_.password});
    } else {
      Send({"AUTH", options_.username, *options_.password});
    }
  } else {
    BeginPhase(Step::kPing);
    Send({"PING"});
  }
  Pump();
}

void RedisProbe::Send(std::vector<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* command = nullptr;
  const int length =
      redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (length > 0) {
    out_.append(command, static_cast<size_t>(length));
    OPENSSL_cleanse(command, static_cast<size_t>(length));
  }
  redisFreeCommand(command);
}

// Writes what is pending, then reads and handles replies, until the socket would block or the
// exchange ends.
void RedisProbe::Pump() {
  char buffer[16 * 1024];
  while (InCommands()) {
    if (out_sent_ < out_.size()) {
      IoOutcome written = stream_->Write(out_.data() + out_sent_, out_.size() - out_sent_);
      if (written.kind != IoOutcome::Kind::kDone) {
        Stall(written);
        return;
      }
      out_sent_ += written.bytes;
      if (out_sent_ == out_.size()) {
        OPENSSL_cleanse(out_.data(), out_.size());
        out_.clear();
        out_sent_ = 0;
      }
      continue;
    }
    IoOutcome read = stream_->Read(buffer, sizeof(buffer));
    if (read.kind != IoOutcome::Kind::kDone) {
      Stall(read);
      return;
    }
    bytes_read_ += read.bytes;
    if (bytes_read_ > kMaxReplyBytes) {
      Fail("protocol", "replies larger than 1 MiB: is this a Redis server?");
      return;
    }
    if (redisReaderFeed(reader_.get(), buffer, read.bytes) != REDIS_OK) {
      Fail("protocol", "out of memory");
      return;
    }
    while (InCommands()) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
        Fail("protocol", std::string("invalid reply: ") + reader_->errstr);
        return;
      }
      if (raw == nullptr) {
        break;
      }
      std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(raw));
      OnReply(*reply);
    }
  }
}

void RedisProbe::Stall(const IoOutcome& outcome) {
  switch (outcome.kind) {
    case IoOutcome::Kind::kDone:
      return;
    case IoOutcome::Kind::kWantRead:
      WaitFor(EventLoop::kReadable);
      return;
    case IoOutcome::Kind::kWantWrite:
      WaitFor(EventLoop::kWritable);
      return;
    case IoOutcome::Kind::kClosed:
      Fail("protocol", !options_.url.tls && bytes_read_ == 0
                           ? "server closed the connection (a TLS port? use rediss://)"
                           : "server closed the connection");
      return;
    case IoOutcome::Kind::kError:
      if (outcome.tls_error) {
        Fail("tls", "tls: " + outcome.error);
      } else if (bytes_read_ > 0) {
        Fail("connect", "connect: " + outcome.error);
      } else if (options_.url.tls) {
        // TLS 1.3 servers check the client certificate after the client's handshake is done.
        Fail("tls", "tls: " + outcome.error +
                        " after the handshake (does the server require a client certificate?)");
      } else {
        // Redis resets plain-text clients of its TLS port.
        Fail("connect", "connect: " + outcome.error + " (a TLS port? use rediss://)");
      }
      return;
  }
}

void RedisProbe::OnReply(const redisReply& reply) {
  const std::string_view text(reply.str != nullptr ? reply.str : "", reply.len);
  const bool error = reply.type == REDIS_REPLY_ERROR;
  switch (step_) {
    case Step::kAuth:
      if (reply.type == REDIS_REPLY_STATUS && text == "OK") {
        EndPhase("auth");
        BeginPhase(Step::kPing);
        Send({"PING"});
      } else if (error) {
        ReplyProblem problem = ClassifyErrorReply("AUTH", text);
        Fail(problem.failure, problem.reason);
      } else {
        Fail("protocol", "unexpected reply to AUTH: " + FirstLine(text));
      }
      return;
    case Step::kPing:
      if (reply.type == REDIS_REPLY_STATUS && text == "PONG") {
        EndPhase("ping");
        if (!options_.info) {
          Succeed();
          return;
        }
        BeginPhase(Step::kInfo);
        for (const char* section : kInfoSections) {
          Send({"INFO", section});
        }
        info_pending_ = std::size(kInfoSections);
      } else if (error) {
        ReplyProblem problem = ClassifyErrorReply("PING", text);
        Fail(problem.failure, problem.reason);
      } else {
        Fail("protocol", "unexpected reply to PING (type " + std::to_string(reply.type) +
                             "): " + FirstLine(text));
      }
      return;
    case Step::kInfo:
      if (reply.type == REDIS_REPLY_STRING) {
        info_text_.append(text).append("\r\n");
      } else if (error) {
        // A user without +info still passes: the facts are extra, PONG is the check.
        spdlog::debug("redis probe {}: INFO refused: {}", target_, Redact(FirstLine(text)));
      }
      if (--info_pending_ == 0) {
        Succeed();
      }
      return;
    default:
      return;
  }
}

void RedisProbe::WaitFor(uint32_t events) {
  if (events != watched_events_) {
    loop_->Modify(watch_, events);
    watched_events_ = events;
  }
}

void RedisProbe::BeginPhase(Step step) {
  step_ = step;
  phase_start_ = Clock::now();
}

void RedisProbe::EndPhase(const char* phase) {
  samples_.push_back(
      Sample{&kRedisDurationSeconds, {{"phase", phase}}, ToSeconds(Clock::now() - phase_start_)});
}

void RedisProbe::Succeed() {
  ProbeResult result = ProbeResult::Healthy();
  if (!info_text_.empty()) {
    const RedisInfo info = ParseRedisInfo(info_text_);
    std::vector<Sample> facts = InfoSamples(info);
    samples_.insert(samples_.end(), facts.begin(), facts.end());
    if (options_.max_memory_ratio) {
      if (auto above = MemoryAboveRatio(info, *options_.max_memory_ratio)) {
        result.verdict = Verdict::kDegraded;
        result.failure = "threshold";
        result.reason = std::move(*above);
      }
    }
  }
  Finish(std::move(result));
}

void RedisProbe::Fail(std::string failure, const std::string& reason) {
  Finish(ProbeResult::Failed(std::move(failure), FirstLine(reason, 240)));
}

void RedisProbe::Finish(ProbeResult result) {
  result.reason = Redact(result.reason);
  result.samples.insert(result.samples.begin(), samples_.begin(), samples_.end());
  Release();
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) {
    done(std::move(result));
  }
}

// Leaves nothing behind: no watch, no lookup, no socket, no TLS state, no password copy.
void RedisProbe::Release() {
  if (lookup_ != 0) {
    resolver_->Cancel(lookup_);
    lookup_ = 0;
  }
  if (watch_ != 0) {
    loop_->Unwatch(watch_);
    watch_ = 0;
  }
  watched_events_ = 0;
  stream_.reset();
  reader_.reset();
  OPENSSL_cleanse(out_.data(), out_.size());
  out_.clear();
  out_sent_ = 0;
  bytes_read_ = 0;
  info_pending_ = 0;
  info_text_.clear();
  addresses_.clear();
  step_ = Step::kIdle;
}

}  // namespace

ProbePtr CreateRedisProbe(config::ConfigNode& node) {
  auto options = ReadRedisOptions(node);
  if (!options) {
    return nullptr;
  }
  return std::make_unique<RedisProbe>(std::move(*options));
}

}  // namespace sidecar::probes::redis
