#include "exporters/emf/emf_exporter.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sidecar::exporters::emf {
namespace {

// How long one delivery waits for a stalled reader before it counts the rest as dropped.
constexpr auto kWriteTimeout = std::chrono::seconds(2);
constexpr auto kPollSlice = std::chrono::milliseconds(50);

}  // namespace

EmfExporter::EmfExporter(QueueOptions queue, EmfOptions options)
    : QueuedExporter(std::move(queue)), options_(std::move(options)) {}

EmfExporter::~EmfExporter() {
  Stop(Duration::zero());
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

bool EmfExporter::Open() {
  if (fd_ >= 0) return true;
  if (options_.output == "stdout") {
    fd_ = STDOUT_FILENO;
    return true;
  }
  fd_ = open(options_.output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    CountError("open " + options_.output + ": " + std::strerror(errno));
    return false;
  }
  owns_fd_ = true;
  return true;
}

bool EmfExporter::Flush(TimePoint deadline) {
  while (!pending_.empty()) {
    // A stop shortens the wait: look at it again every slice.
    const TimePoint until = stopping() ? std::min(deadline, stop_deadline()) : deadline;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const auto slice = std::clamp<int64_t>(left.count(), 0, kPollSlice.count());
    pollfd poll_fd{fd_, POLLOUT, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(slice));
    if (ready == 0) {
      if (left.count() > 0) continue;
      CountError("write " + options_.output + ": the reader does not keep up");
      return false;
    }
    if (ready < 0 && errno == EINTR) continue;
    // POLLOUT on a pipe promises room for PIPE_BUF bytes: a chunk that size never blocks.
    const size_t chunk = std::min<size_t>(pending_.size(), PIPE_BUF);
    const ssize_t n = ready < 0 ? -1 : write(fd_, pending_.data(), chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      CountError("write " + options_.output + ": " + std::strerror(errno));
      return false;
    }
    pending_.erase(0, static_cast<size_t>(n));
  }
  return true;
}

void EmfExporter::Deliver(std::vector<ProbeRun>& runs) {
  if (!Open()) {
    for (const ProbeRun& run : runs) CountDropped(run.points.size());
    return;
  }
  const TimePoint deadline = Clock::now() + kWriteTimeout;
  // A line cut short last time is finished first, so lines never interleave.
  if (!Flush(deadline)) {
    for (const ProbeRun& run : runs) CountDropped(run.points.size());
    return;
  }
  for (const ProbeRun& run : runs) {
    for (const std::string& line : FormatRun(options_.format, run, &deltas_)) {
      pending_ += line;
      pending_ += '\n';
    }
  }
  // Points are counted per run: what went out, or was left behind by a stall.
  uint64_t points = 0;
  for (const ProbeRun& run : runs) points += run.points.size();
  if (Flush(deadline)) {
    CountSent(points);
  } else {
    CountDropped(points);
    // Keep only the rest of the line being written; whole lines not started are dropped.
    const size_t end = pending_.find('\n');
    pending_.resize(end == std::string::npos ? pending_.size() : end + 1);
  }
}

}  // namespace sidecar::exporters::emf
