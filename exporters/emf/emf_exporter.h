// The CloudWatch EMF exporter: every probe run becomes EMF documents (emf_format.h), written one
// per line to stdout (where the ECS awslogs driver turns each line into a log event) or to a
// file. The agent's own logs go to stderr, so stdout carries nothing but whole EMF lines.
//
// Writes happen on the worker thread, in chunks of at most PIPE_BUF after poll() says the fd is
// writable, so a stalled reader never holds the loop and Stop() returns by its deadline. A line
// cut short by a stall is finished before the next one starts.
// Thread-safety: see QueuedExporter; the fd and the pending bytes belong to the worker thread.
#pragma once

#include <string>

#include "agent/config/config_node.h"
#include "exporters/emf/emf_format.h"
#include "exporters/queued_exporter.h"

namespace sidecar::exporters::emf {

struct EmfOptions {
  Format format;
  std::string output = "stdout";  // or a file path (appended to)
};

class EmfExporter final : public QueuedExporter {
 public:
  EmfExporter(QueueOptions queue, EmfOptions options);
  ~EmfExporter() override;

 protected:
  void Deliver(std::vector<ProbeRun>& runs) override;

 private:
  bool Open();
  // Writes pending_ until it is empty or `deadline` passes; false on a write error or a stall.
  bool Flush(TimePoint deadline);

  const EmfOptions options_;
  CounterDeltas deltas_;
  int fd_ = -1;
  bool owns_fd_ = false;
  std::string pending_;  // bytes of whole lines not yet written
};

// Reads the `emf` keys of an exporters[] entry: namespace, dimensions (a list of
// comma-separated sets such as "probe,type"), storage_resolution (1 or 60), output.
ExporterPtr CreateEmfExporter(config::ConfigNode& node, QueueOptions queue);

}  // namespace sidecar::exporters::emf
