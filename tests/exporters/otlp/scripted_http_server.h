// A loopback HTTP/1.1 server for the OTLP exporter tests that answers each request with the next
// scripted answer (status, headers, body) or hangs (holds the connection, never answers), and
// records every request. One connection at a time, closed after each answer. Thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sidecar::exporters::otlp::testing {

struct ScriptedAnswer {
  int status = 200;
  std::string headers;  // extra header lines, each ending in \r\n
  std::string body;
  bool hang = false;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class ScriptedHttpServer {
 public:
  explicit ScriptedHttpServer(std::deque<ScriptedAnswer> script) : script_(std::move(script)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 16);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedHttpServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
    for (int held : held_) close(held);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  // Waits for data (or the stop) in 20 ms slices; false when stopping.
  bool Readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 20) == 1) return true;
    }
    return false;
  }

  void Serve() {
    while (Readable(fd_)) {
      const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      RecordedRequest request;
      if (!Read(client, &request)) {
        close(client);
        continue;
      }
      ScriptedAnswer answer;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
        if (!script_.empty()) {
          answer = script_.front();
          if (script_.size() > 1) script_.pop_front();  // the last answer repeats
        }
      }
      if (answer.hang) {
        held_.push_back(client);
        continue;
      }
      const std::string response =
          "HTTP/1.1 " + std::to_string(answer.status) +
          " Scripted\r\nContent-Length: " + std::to_string(answer.body.size()) +
          "\r\nConnection: close\r\n" + answer.headers + "\r\n" + answer.body;
      send(client, response.data(), response.size(), MSG_NOSIGNAL);
      close(client);
    }
  }

  bool Read(int client, RecordedRequest* request) {
    std::string data;
    char buffer[65536];
    size_t header_end = std::string::npos;
    size_t length = 0;
    for (;;) {
      if (header_end != std::string::npos && data.size() >= header_end + 4 + length) break;
      if (!Readable(client)) return false;
      const ssize_t n = recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) return false;
      data.append(buffer, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        size_t line_start = data.find("\r\n") + 2;
        const std::string first = data.substr(0, line_start - 2);
        request->method = first.substr(0, first.find(' '));
        request->path = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
        while (line_start < header_end) {
          const size_t line_end = data.find("\r\n", line_start);
          const std::string line = data.substr(line_start, line_end - line_start);
          const size_t colon = line.find(':');
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          request->headers[name] = value;
          line_start = line_end + 2;
        }
        if (request->headers.contains("content-length")) {
          length = std::stoul(request->headers["content-length"]);
        }
      }
    }
    request->body = data.substr(header_end + 4, length);
    return true;
  }

  std::deque<ScriptedAnswer> script_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::vector<int> held_;  // hung connections, closed at the end
  std::thread thread_;
};

}  // namespace sidecar::exporters::otlp::testing
