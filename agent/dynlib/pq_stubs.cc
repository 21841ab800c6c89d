// The libpq functions the agent calls, forwarded to libpq.so.5 opened at first use
// (lazy_library.h). Each keeps the exact declaration of <libpq-fe.h>, so a mismatch does not
// compile; a function missing here does not link.
#include <libpq-fe.h>

#include "agent/dynlib/lazy_library.h"

namespace sidecar::dynlib {
namespace {

constexpr const char* kSymbols[] = {"PQconnectStartParams",
                                    "PQconnectPoll",
                                    "PQfinish",
                                    "PQconninfoParse",
                                    "PQconninfoFree",
                                    "PQstatus",
                                    "PQserverVersion",
                                    "PQerrorMessage",
                                    "PQsocket",
                                    "PQsendQuery",
                                    "PQgetResult",
                                    "PQisBusy",
                                    "PQconsumeInput",
                                    "PQsetnonblocking",
                                    "PQflush",
                                    "PQresultStatus",
                                    "PQresultErrorMessage",
                                    "PQresultErrorField",
                                    "PQntuples",
                                    "PQnfields",
                                    "PQgetvalue",
                                    "PQgetisnull",
                                    "PQclear",
                                    "PQfreemem",
                                    nullptr};

}  // namespace

LazyLibrary& Pq() {
  static LazyLibrary library("libpq.so.5", "libpq5", kSymbols);
  return library;
}

}  // namespace sidecar::dynlib

using sidecar::dynlib::Pq;
using sidecar::dynlib::Resolve;

extern "C" {

PGconn* PQconnectStartParams(const char* const* keywords, const char* const* values,
                             int expand_dbname) {
  static const auto real = Resolve<decltype(&PQconnectStartParams)>(Pq(), "PQconnectStartParams");
  return real(keywords, values, expand_dbname);
}

PostgresPollingStatusType PQconnectPoll(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQconnectPoll)>(Pq(), "PQconnectPoll");
  return real(conn);
}

void PQfinish(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQfinish)>(Pq(), "PQfinish");
  real(conn);
}

PQconninfoOption* PQconninfoParse(const char* conninfo, char** errmsg) {
  static const auto real = Resolve<decltype(&PQconninfoParse)>(Pq(), "PQconninfoParse");
  return real(conninfo, errmsg);
}

void PQconninfoFree(PQconninfoOption* options) {
  static const auto real = Resolve<decltype(&PQconninfoFree)>(Pq(), "PQconninfoFree");
  real(options);
}

ConnStatusType PQstatus(const PGconn* conn) {
  static const auto real = Resolve<decltype(&PQstatus)>(Pq(), "PQstatus");
  return real(conn);
}

int PQserverVersion(const PGconn* conn) {
  static const auto real = Resolve<decltype(&PQserverVersion)>(Pq(), "PQserverVersion");
  return real(conn);
}

char* PQerrorMessage(const PGconn* conn) {
  static const auto real = Resolve<decltype(&PQerrorMessage)>(Pq(), "PQerrorMessage");
  return real(conn);
}

int PQsocket(const PGconn* conn) {
  static const auto real = Resolve<decltype(&PQsocket)>(Pq(), "PQsocket");
  return real(conn);
}

int PQsendQuery(PGconn* conn, const char* query) {
  static const auto real = Resolve<decltype(&PQsendQuery)>(Pq(), "PQsendQuery");
  return real(conn, query);
}

PGresult* PQgetResult(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQgetResult)>(Pq(), "PQgetResult");
  return real(conn);
}

int PQisBusy(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQisBusy)>(Pq(), "PQisBusy");
  return real(conn);
}

int PQconsumeInput(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQconsumeInput)>(Pq(), "PQconsumeInput");
  return real(conn);
}

int PQsetnonblocking(PGconn* conn, int arg) {
  static const auto real = Resolve<decltype(&PQsetnonblocking)>(Pq(), "PQsetnonblocking");
  return real(conn, arg);
}

int PQflush(PGconn* conn) {
  static const auto real = Resolve<decltype(&PQflush)>(Pq(), "PQflush");
  return real(conn);
}

ExecStatusType PQresultStatus(const PGresult* res) {
  static const auto real = Resolve<decltype(&PQresultStatus)>(Pq(), "PQresultStatus");
  return real(res);
}

char* PQresultErrorMessage(const PGresult* res) {
  static const auto real = Resolve<decltype(&PQresultErrorMessage)>(Pq(), "PQresultErrorMessage");
  return real(res);
}

char* PQresultErrorField(const PGresult* res, int fieldcode) {
  static const auto real = Resolve<decltype(&PQresultErrorField)>(Pq(), "PQresultErrorField");
  return real(res, fieldcode);
}

int PQntuples(const PGresult* res) {
  static const auto real = Resolve<decltype(&PQntuples)>(Pq(), "PQntuples");
  return real(res);
}

int PQnfields(const PGresult* res) {
  static const auto real = Resolve<decltype(&PQnfields)>(Pq(), "PQnfields");
  return real(res);
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  static const auto real = Resolve<decltype(&PQgetvalue)>(Pq(), "PQgetvalue");
  return real(res, tup_num, field_num);
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  static const auto real = Resolve<decltype(&PQgetisnull)>(Pq(), "PQgetisnull");
  return real(res, tup_num, field_num);
}

void PQclear(PGresult* res) {
  static const auto real = Resolve<decltype(&PQclear)>(Pq(), "PQclear");
  real(res);
}

void PQfreemem(void* ptr) {
  static const auto real = Resolve<decltype(&PQfreemem)>(Pq(), "PQfreemem");
  real(ptr);
}

}  // extern "C"
