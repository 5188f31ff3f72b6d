#!/bin/sh
# Called by ./mvnw before Maven starts. Maven itself may run on any JDK (the default here is 17); the build
# forks the JDK that maven-toolchains-plugin's select-jdk-toolchain picks for the range in the root pom's
# <jgrad.jdk.range>. When no installed JDK can satisfy that range, the plugin fails with a multi-line Maven
# error; this check fails first with one line instead.
#
# It looks in the same places as the plugin's discovery (JAVA_HOME / the JDK Maven runs on, JAVA*_HOME
# variables, ~/.m2/toolchains.xml, SDK-manager folders under $HOME, /usr/lib/jvm, /usr/java, /usr/jdk,
# /opt/java, macOS JavaVirtualMachines) plus a few extra ones, so it only ever fails where the plugin would.
# Set JGRAD_SKIP_JDK_CHECK=true to skip it. With JGRAD_JDK_CHECK_PRINT=true it prints the JDK it found (the
# ./jgrad launcher runs the examples on it).

set -u

base="$(dirname "$0")/.."

# The range: -Djgrad.jdk.range=... on the command line wins over the pom, as it does in Maven.
range=""
toolchains=""
prev=""
for a in "$@"; do
  case "$prev" in
  -D) case "$a" in jgrad.jdk.range=*) range="${a#*=}" ;; esac ;;
  -t | --toolchains) toolchains="$a" ;;
  esac
  case "$a" in
  -Djgrad.jdk.range=*) range="${a#*=}" ;;
  --toolchains=*) toolchains="${a#*=}" ;;
  esac
  prev="$a"
done
if [ -z "$range" ] && [ -f "$base/pom.xml" ]; then
  range="$(sed -n 's:.*<jgrad\.jdk\.range>\(.*\)</jgrad\.jdk\.range>.*:\1:p' "$base/pom.xml" | head -n 1)"
fi
# Only a lower bound of the form "[N," or "(N," is checked; anything else is left to the plugin.
min="$(printf %s "$range" | sed -n 's/^[[(][[:space:]]*\([0-9][0-9]*\).*/\1/p')"
[ -n "$min" ] || exit 0
case "$range" in \(*) min=$((min + 1)) ;; esac

# Prints the feature release (25, 21, 8, ...) of the JDK at $1, or nothing when $1 is not a JDK.
jdk_major() {
  [ -x "$1/bin/javac" ] || return 0
  v=""
  if [ -f "$1/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" | head -n 1)"
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  fi
  case "$v" in
  1.*) v="${v#1.}" ;;
  esac
  printf %s "${v%%[!0-9]*}"
}

# Maven (Java) takes its home from user.home: the passwd entry, or -Duser.home in MAVEN_OPTS; look in
# $HOME as well, in case they differ.
homes="$HOME"
pwhome="$( (getent passwd "$(id -u)" 2>/dev/null || :) | cut -d: -f6)"
[ -z "$pwhome" ] || homes="$homes
$pwhome"
case " ${MAVEN_OPTS-} " in
*" -Duser.home="*)
  opthome="${MAVEN_OPTS#*-Duser.home=}"
  homes="$homes
${opthome%% *}"
  ;;
esac

found=""
check() {
  [ -n "$1" ] && [ -d "$1" ] || return 0
  m="$(jdk_major "$1")"
  if [ -n "$m" ] && [ "$m" -ge "$min" ]; then
    found="$1"
  fi
}

check "${JAVA_HOME-}"
javacmd="$(command -v java 2>/dev/null || :)"
if [ -n "$javacmd" ]; then
  javacmd="$(readlink -f "$javacmd" 2>/dev/null || printf %s "$javacmd")"
  check "$(dirname "$(dirname "$javacmd")")"
fi
for d in $(env | sed -n 's/^JAVA[A-Za-z0-9_]*_HOME=\(.*\)$/\1/p'); do check "$d"; done
old_ifs="$IFS"
IFS='
'
for h in $homes; do
  IFS="$old_ifs"
  for tc in ${toolchains:-"$h/.m2/toolchains.xml"}; do
    [ -f "$tc" ] || continue
    for d in $(sed -n 's:.*<jdkHome>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</jdkHome>.*:\1:p' "$tc"); do
      check "$d"
    done
  done
  for d in "$h"/.jdks/* "$h"/.m2/jdks/* "$h"/.sdkman/candidates/java/* "$h"/.gradle/jdks/* \
    "$h"/.jenv/versions/* "$h"/.jbang/cache/jdks/* "$h"/.asdf/installs/* "$h"/.asdf/installs/java/* \
    "$h"/.jabba/jdk/* "$h"/Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$found" ] && break
    check "$d"
  done
done
IFS="$old_ifs"
for d in /usr/jdk/* /usr/java/* /opt/java/* /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [ -n "$found" ] && break
  check "$d"
done

if [ -z "$found" ]; then
  echo "jgrad needs a JDK $min or newer (jgrad.jdk.range=$range) and found none in JAVA_HOME, PATH, JAVA*_HOME, ${toolchains:-~/.m2/toolchains.xml}, /usr/lib/jvm, /usr/java, /opt/java or ~/.sdkman, ~/.jdks, ~/.m2/jdks: install one (e.g. Temurin $min) or set JAVA_HOME to it." >&2
  exit 1
fi
[ "${JGRAD_JDK_CHECK_PRINT-}" != true ] || printf '%s\n' "$found"
exit 0
