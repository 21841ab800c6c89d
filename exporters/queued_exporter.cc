#include "exporters/queued_exporter.h"

#include <chrono>

namespace sidecar::exporters {

namespace {

QueueOptions AtLeastOne(QueueOptions options) {
  if (options.queue_size == 0) options.queue_size = 1;
  return options;
}

}  // namespace

QueuedExporter::QueuedExporter(QueueOptions options) : options_(AtLeastOne(std::move(options))) {}

QueuedExporter::~QueuedExporter() {
  // A subclass has stopped the worker already (Deliver is its method); this is a safety net
  // for the case where Start() was never called or Stop() ran.
  if (worker_.joinable()) {
    stopping_ = true;
    wake_.notify_all();
    worker_.join();
  }
}

void QueuedExporter::Start() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { Work(); });
}

void QueuedExporter::Offer(const ProbeRun& run) {
  uint64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    while (queue_.size() >= options_.queue_size) {
      dropped += queue_.front().points;
      queue_.pop_front();
    }
    queue_.push_back({codec_.Encode(run), run.points.size()});
  }
  dropped_ += dropped;
  wake_.notify_one();
}

void QueuedExporter::Stop(Duration budget) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) stop_deadline_ = Clock::now() + budget;
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const QueuedRun& run : queue_) dropped_ += run.points;
  queue_.clear();
}

ExporterStats QueuedExporter::Stats() const {
  ExporterStats stats;
  stats.sent = sent_.load();
  stats.dropped = dropped_.load();
  stats.errors = errors_.load();
  std::lock_guard<std::mutex> lock(mutex_);
  stats.last_error = last_error_;
  stats.last_error_unix = last_error_unix_;
  return stats;
}

void QueuedExporter::CountError(const std::string& message) {
  ++errors_;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(mutex_);
  last_error_ = message;
  last_error_unix_ = now;
}

bool QueuedExporter::SleepUnlessStopping(Duration wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, wait, [this] { return stopping_.load(); });
}

TimePoint QueuedExporter::stop_deadline() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_deadline_;
}

void QueuedExporter::Work() {
  std::deque<QueuedRun> taken;
  std::vector<ProbeRun> batch;
  bool pending = false;  // runs taken since the last delivery
  TimePoint next_flush = Clock::now() + options_.flush_interval;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto woken = [this] { return stopping_.load() || !queue_.empty(); };
      if (options_.flush_interval > Duration::zero()) {
        // Woken by every run, not only at the flush: a subclass that consumes runs as they come
        // (OTLP aggregates them) so keeps the queue empty between deliveries, and the queue
        // fills only while a delivery is under way (a slow or unreachable receiver).
        wake_.wait_until(lock, next_flush, woken);
      } else {
        wake_.wait(lock, woken);
      }
      taken.swap(queue_);
    }
    pending = pending || !taken.empty();
    // Decoded one run at a time, so the loop thread (Offer) never waits long for the mutex the
    // codec's table shares with it.
    for (QueuedRun& queued : taken) {
      ProbeRun run;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        run = codec_.Decode(queued.blob);
      }
      std::string().swap(queued.blob);
      if (!Consume(run)) batch.push_back(std::move(run));
    }
    taken.clear();
    const TimePoint now = Clock::now();
    const bool due =
        options_.flush_interval == Duration::zero() || now >= next_flush || stopping_.load();
    if (!due) continue;
    next_flush = now + options_.flush_interval;
    if (pending) {
      // On stop, one last delivery of what is queued, bounded by the stop deadline.
      Deliver(batch);
      batch.clear();
      pending = false;
      // A batch of a whole export interval is not kept around until the next one.
      if (batch.capacity() > 16) std::vector<ProbeRun>().swap(batch);
    }
    if (stopping_) return;
  }
}

}  // namespace sidecar::exporters
