#include "probes/postgres/postgres_probe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "agent/common/redact.h"
#include "probes/postgres/failure.h"

namespace sidecar::probes::postgres {

namespace {

// The facts query gets what is left of the deadline minus this margin, so a slow catalog
// answer leaves the health verdict standing instead of turning into a timeout.
constexpr Duration kFactsMargin = std::chrono::milliseconds(250);

constexpr size_t kMaxShownValue = 60;

std::string Quoted(const std::string& value) {
  return "\"" + Shorten(Redact(value), kMaxShownValue) + "\"";
}

}  // namespace

PostgresProbe::PostgresProbe(PostgresOptions options) : options_(std::move(options)) {}

PostgresProbe::~PostgresProbe() { Release(); }

void PostgresProbe::Start(const ProbeContext& ctx, Done done) {
  Release();
  loop_ = ctx.loop;
  resolver_ = ctx.resolver;
  deadline_ = ctx.deadline;
  done_ = std::move(done);
  phase_ = Phase::kResolve;
  phase_start_ = Clock::now();
  answers_.assign(options_.hosts.size(), std::nullopt);
  lookups_pending_ = std::count_if(options_.hosts.begin(), options_.hosts.end(),
                                   [](const HostEntry& host) { return host.NeedsLookup(); });
  if (lookups_pending_ == 0) {
    EndPhase("resolve");
    StartConnect(options_.hosts);
    return;
  }
  for (size_t i = 0; i < options_.hosts.size(); ++i) {
    const HostEntry& host = options_.hosts[i];
    if (!host.NeedsLookup()) {
      continue;
    }
    // Answers always arrive through the loop, never from inside Lookup().
    lookups_.push_back(resolver_->Lookup(
        host.host, static_cast<uint16_t>(std::atoi(host.port.c_str())), IpPreference::kAny,
        [this, i](Result<std::vector<Address>> answer) { OnResolved(i, std::move(answer)); }));
  }
}

void PostgresProbe::OnResolved(size_t index, Result<std::vector<Address>> answer) {
  answers_[index] = std::move(answer);
  if (--lookups_pending_ > 0) {
    return;
  }
  lookups_.clear();
  // One entry per address, so libpq tries each in turn as it would have after its own lookup.
  std::vector<HostEntry> resolved;
  std::string first_error;
  for (size_t i = 0; i < options_.hosts.size(); ++i) {
    const HostEntry& host = options_.hosts[i];
    if (!host.NeedsLookup()) {
      resolved.push_back(host);
    } else if (answers_[i]->ok()) {
      for (const Address& address : answers_[i]->value()) {
        resolved.push_back(HostEntry{host.host, address.ToString(), host.port});
      }
    } else if (first_error.empty()) {
      first_error = answers_[i]->status().message();
    }
  }
  answers_.clear();
  EndPhase("resolve");
  if (resolved.empty()) {
    Fail("resolve", Shorten(Redact(first_error)));
    return;
  }
  StartConnect(resolved);
}

void PostgresProbe::StartConnect(const std::vector<HostEntry>& hosts) {
  phase_ = Phase::kConnect;
  phase_start_ = Clock::now();
  const Duration left = deadline_ - phase_start_;
  const ConnParams params = BuildConnectParams(options_.conninfo, hosts, options_.password, left);
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : params) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectStartParams(keywords.data(), values.data(), /*expand_dbname=*/0);
  if (conn_ == nullptr) {
    Fail("connect", "connect: libpq could not allocate a connection");
    return;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    FailConnect();
    return;
  }
  if (options_.connect_timeout && *options_.connect_timeout < left) {
    const Duration timeout = *options_.connect_timeout;
    timer_ = loop_->AddTimer(timeout, [this, timeout] {
      timer_ = 0;
      EndPhase("connect");
      Fail("connect", "connect: timeout after " + FormatDuration(timeout));
    });
  }
  // libpq's first PQconnectPoll() call comes once the socket is writable.
  WatchSocket(EventLoop::kWritable);
}

void PostgresProbe::WatchSocket(uint32_t events) {
  // libpq may have closed the socket and opened another, possibly under the same number, so
  // the watch is made anew rather than modified.
  if (watch_ != 0) {
    loop_->Unwatch(watch_);
    watch_ = 0;
  }
  const int fd = PQsocket(conn_);
  if (fd >= 0) {
    watch_ = loop_->Watch(fd, events, [this](uint32_t ready) { OnReady(ready); });
  }
  watch_events_ = events;
  if (watch_ == 0 && phase_ == Phase::kFacts) {
    facts_row_.clear();
    OnFactsFinished();
  } else if (watch_ == 0) {
    const std::string kind = phase_ == Phase::kConnect ? "connect" : "query";
    Fail(kind, kind + (fd < 0 ? ": libpq has no socket" : ": cannot watch libpq's socket"));
  }
}

void PostgresProbe::OnReady(uint32_t ready) {
  if (phase_ == Phase::kConnect) {
    OnConnectReady();
  } else {
    OnQueryReady(ready);
  }
}

void PostgresProbe::FailConnect() {
  EndPhase("connect");
  Failure failure = ClassifyConnectError(PQerrorMessage(conn_));
  Fail(std::move(failure.kind), std::move(failure.reason));
}

void PostgresProbe::OnConnectReady() {
  switch (PQconnectPoll(conn_)) {
    case PGRES_POLLING_OK: {
      if (timer_ != 0) {
        loop_->CancelTimer(timer_);
        timer_ = 0;
      }
      EndPhase("connect");
      // Without it PQsendQuery/PQflush and PQfinish's goodbye could block on a full buffer.
      PQsetnonblocking(conn_, 1);
      StartQuery(Phase::kQuery, options_.query.c_str());
      return;
    }
    case PGRES_POLLING_FAILED:
      FailConnect();
      return;
    case PGRES_POLLING_READING:
      WatchSocket(EventLoop::kReadable);
      return;
    default:
      WatchSocket(EventLoop::kWritable);
      return;
  }
}

void PostgresProbe::StartQuery(Phase phase, const char* sql) {
  phase_ = phase;
  phase_start_ = Clock::now();
  query_error_.reset();
  got_row_ = false;
  first_value_.reset();
  facts_row_.clear();
  if (PQsendQuery(conn_, sql) == 0) {
    OnConnectionLost();
    return;
  }
  flushing_ = true;
  WatchSocket(EventLoop::kReadable | EventLoop::kWritable);
}

void PostgresProbe::OnQueryReady(uint32_t ready) {
  if ((ready & (EventLoop::kReadable | EventLoop::kError)) != 0 && PQconsumeInput(conn_) == 0) {
    OnConnectionLost();
    return;
  }
  if (flushing_) {
    const int flushed = PQflush(conn_);
    if (flushed < 0) {
      OnConnectionLost();
      return;
    }
    flushing_ = flushed == 1;
  }
  // PQgetResult() would block while PQisBusy().
  while (!flushing_ && PQisBusy(conn_) == 0) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (phase_ == Phase::kQuery) {
        OnQueryFinished();
      } else {
        OnFactsFinished();
      }
      return;
    }
    if (!TakeResult(result)) {
      // A COPY: libpq would hand out copy results forever; the connection is of no more use.
      if (phase_ == Phase::kQuery) {
        EndPhase("query");
        Fail("query", "query: COPY is not supported as a probe query");
      } else {
        OnFactsFinished();
      }
      return;
    }
  }
  const uint32_t events = EventLoop::kReadable | (flushing_ ? EventLoop::kWritable : 0);
  if (events != watch_events_) {
    loop_->Modify(watch_, events);
    watch_events_ = events;
  }
}

bool PostgresProbe::TakeResult(PGresult* result) {
  bool keep_going = true;
  switch (PQresultStatus(result)) {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE:
      if (!got_row_ && PQntuples(result) > 0 && PQnfields(result) > 0) {
        got_row_ = true;
        if (PQgetisnull(result, 0, 0) == 0) {
          first_value_ = PQgetvalue(result, 0, 0);
        }
        for (int column = 0; column < PQnfields(result); ++column) {
          facts_row_.push_back(PQgetisnull(result, 0, column) != 0
                                   ? std::nullopt
                                   : std::optional<std::string>(PQgetvalue(result, 0, column)));
        }
      }
      break;
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      break;
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH:
      keep_going = false;
      break;
    default:
      if (!query_error_) {
        const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
        query_error_ = primary != nullptr ? Shorten(Redact(primary))
                                          : CleanMessage(PQresultErrorMessage(result));
      }
      break;
  }
  PQclear(result);
  return keep_going;
}

void PostgresProbe::OnConnectionLost() {
  if (phase_ == Phase::kFacts) {
    facts_row_.clear();
    OnFactsFinished();
    return;
  }
  EndPhase("query");
  Fail("query", Shorten("query: " + CleanMessage(PQerrorMessage(conn_))));
}

void PostgresProbe::OnQueryFinished() {
  EndPhase("query");
  if (query_error_) {
    Fail("query", Shorten("query: " + *query_error_));
    return;
  }
  if (options_.expect) {
    const std::string expected = Quoted(*options_.expect);
    if (!got_row_) {
      Fail("unexpected_result", "query returned no rows, expected " + expected);
      return;
    }
    if (!first_value_) {
      Fail("unexpected_result", "query returned NULL, expected " + expected);
      return;
    }
    if (*first_value_ != *options_.expect) {
      Fail("unexpected_result",
           "query returned " + Quoted(*first_value_) + ", expected " + expected);
      return;
    }
  }
  if (!options_.facts) {
    ProbeResult result = ProbeResult::Healthy();
    result.samples = std::move(samples_);
    Finish(std::move(result));
    return;
  }
  const Duration left = deadline_ - Clock::now();
  timer_ = loop_->AddTimer(left - std::min(left / 4, kFactsMargin), [this] {
    timer_ = 0;
    facts_row_.clear();
    OnFactsFinished();
  });
  StartQuery(Phase::kFacts, kFactsQuery);
}

void PostgresProbe::OnFactsFinished() {
  Facts facts = ReadFacts(facts_row_, PQserverVersion(conn_), options_.thresholds);
  ProbeResult result = ProbeResult::Healthy();
  result.samples = std::move(samples_);
  result.samples.insert(result.samples.end(), facts.samples.begin(), facts.samples.end());
  if (!facts.degraded.empty()) {
    result.verdict = Verdict::kDegraded;
    result.failure = "threshold";
    result.reason = fmt::format("{}", fmt::join(facts.degraded, "; "));
  }
  Finish(std::move(result));
}

void PostgresProbe::EndPhase(const char* phase) {
  samples_.push_back(
      Sample{&kDurationSeconds, {{"phase", phase}}, ToSeconds(Clock::now() - phase_start_)});
}

void PostgresProbe::Fail(std::string kind, std::string reason) {
  ProbeResult result = ProbeResult::Failed(std::move(kind), std::move(reason));
  result.samples = std::move(samples_);
  Finish(std::move(result));
}

void PostgresProbe::Finish(ProbeResult result) {
  Done done = std::move(done_);
  Release();
  // `done` may destroy this probe or start it again: nothing here touches it afterwards.
  if (done) {
    done(std::move(result));
  }
}

void PostgresProbe::Release() {
  for (Resolver::LookupId lookup : lookups_) {
    resolver_->Cancel(lookup);
  }
  lookups_.clear();
  answers_.clear();
  lookups_pending_ = 0;
  if (timer_ != 0) {
    loop_->CancelTimer(timer_);
    timer_ = 0;
  }
  if (watch_ != 0) {
    loop_->Unwatch(watch_);
    watch_ = 0;
  }
  if (conn_ != nullptr) {
    // Closes the socket at once; a Terminate message is sent only on an established
    // connection, which is in non-blocking mode by then.
    PQfinish(conn_);
    conn_ = nullptr;
  }
  phase_ = Phase::kIdle;
  done_ = nullptr;
  samples_.clear();
  facts_row_.clear();
}

void PostgresProbe::Cancel() { Release(); }

}  // namespace sidecar::probes::postgres
