// The common body of the push exporters: a bounded queue filled on the loop thread and one
// worker thread that drains it, plus the sent/dropped/errors counters.
//
// A subclass implements Deliver(), which runs on the worker thread only. When the queue is full
// the oldest run is dropped and its points are counted as dropped, so a receiver that is down
// or slow never grows memory and never slows the loop. Queued runs are held encoded
// (run_codec.h, ~150 bytes for a run of a dozen points instead of ~1.2 KiB as a ProbeRun) and
// decoded on the worker as soon as it is free: with a flush interval, runs are taken (and
// consumed, see Consume) as they arrive and delivered together when the interval is over, so
// the queue holds only what arrives while a delivery is under way.
//
// Thread-safety: Offer/Start/Stop on the loop thread; Stats from any thread; Deliver and the
// Count* helpers on the worker thread (the counters are atomic).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporters/exporter.h"
#include "exporters/run_codec.h"

namespace sidecar::exporters {

struct QueueOptions {
  std::string name;
  std::string type;
  // Probe runs held at most. A queued run of a dozen points is ~150 bytes (encoded, see
  // run_codec.h), so a full default queue is ~50 KiB even when the receiver is down.
  size_t queue_size = 256;
  // 0: deliver as soon as a run arrives; else every flush_interval (when runs came), the runs
  // taken in between held by the subclass (Consume) or in Deliver's batch.
  Duration flush_interval{0};
};

class QueuedExporter : public Exporter {
 public:
  explicit QueuedExporter(QueueOptions options);
  ~QueuedExporter() override;  // subclasses must call Stop() in their own destructor

  const std::string& name() const override { return options_.name; }
  const std::string& type() const override { return options_.type; }
  void Start() override;
  void Offer(const ProbeRun& run) override;
  void Stop(Duration budget) override;
  ExporterStats Stats() const override;

 protected:
  // Worker thread: sends `runs` (oldest first). Must return by stop_deadline() once stopping().
  // Called once per flush with the runs Consume left since the last one (maybe none).
  virtual void Deliver(std::vector<ProbeRun>& runs) = 0;
  // Worker thread: offered each run of a batch as it is decoded, before Deliver. A subclass
  // that can take runs one at a time (OTLP aggregates them) returns true, so a whole interval
  // of runs is never held decoded at once; by default the run goes to Deliver's `runs`.
  virtual bool Consume(ProbeRun& /*run*/) { return false; }

  void CountSent(uint64_t points) { sent_ += points; }
  void CountDropped(uint64_t points) { dropped_ += points; }
  // One failed delivery; `message` goes to /health (it must hold no secret).
  void CountError(const std::string& message);

  bool stopping() const { return stopping_.load(); }
  // Waits `wait` (a retry backoff) unless a stop comes first; false when stopping.
  bool SleepUnlessStopping(Duration wait);
  TimePoint stop_deadline() const;

 private:
  struct QueuedRun {
    std::string blob;  // RunCodec::Encode
    size_t points = 0;
  };

  void Work();

  const QueueOptions options_;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::deque<QueuedRun> queue_;
  RunCodec codec_;
  std::string last_error_;
  double last_error_unix_ = 0;
  TimePoint stop_deadline_{};
  std::thread worker_;
};

}  // namespace sidecar::exporters
