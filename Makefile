# mvpipe: build and install.
#
#   make                      release build
#   make install              binary, man page, shell completions, example config (if absent)
#   make install SKIP_BUILD=1 install what `make` built, without building (e.g. under sudo)
#   make install DESTDIR=/tmp/stage PREFIX=/usr
#   make install EXAMPLE=pipeline.postfix.example.json   Postfix log + smtp to 127.0.0.1:25 as the first config
#   make install-systemd      contrib/mvpipe.service and .timer into $(SYSTEMDUNITDIR)
#   make uninstall            removes what install put there, except /etc/mvpipe/pipeline.json
#
# Variables: PREFIX (/usr/local), DESTDIR (staging root), SYSCONFDIR (/etc), SWIFT (swift), EXAMPLE (the config
# installed as /etc/mvpipe/pipeline.json when there is none), INSTALL_STRIP (-s: the binary is stripped; empty keeps
# its symbols).

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
SWIFT      ?= swift
INSTALL    ?= install

BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# Debian's zsh reads vendor completions from /usr/share/zsh/vendor-completions and local ones from
# /usr/local/share/zsh/site-functions.
ifeq ($(PREFIX),/usr)
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
else
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
endif
CONFDIR    ?= $(SYSCONFDIR)/mvpipe
DOCDIR     ?= $(PREFIX)/share/doc/mvpipe
EXAMPLE    ?= pipeline.example.json
EXAMPLES   = pipeline.example.json pipeline.postfix.example.json
# The installed binary is stripped of its symbol table (a release build: 96 MB -> 65 MB); crash backtraces then
# show addresses only. INSTALL_STRIP= keeps the symbols.
INSTALL_STRIP ?= -s
SYSTEMDUNITDIR ?= /etc/systemd/system

# The Swift runtime is linked in, so the installed binary runs on a relay without the Swift toolchain.
BUILD_FLAGS ?= -c release --static-swift-stdlib
# Where the built binary is (asked from SwiftPM once, when first needed).
BIN_PATH    ?= $(eval BIN_PATH := $$(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path))$(BIN_PATH)
COMPLETIONS ?= .build/completions
# SKIP_BUILD=1 installs the binary already in BIN_PATH without running the build (`make && sudo make install
# SKIP_BUILD=1` keeps root out of .build; the tests use it too).
BUILD_STEP  = $(if $(SKIP_BUILD),,build)

.PHONY: all build completions install install-systemd uninstall clean

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS)

completions: $(BUILD_STEP)
	mkdir -p $(COMPLETIONS)
	"$(BIN_PATH)/mvpipe" --generate-completion-script bash > $(COMPLETIONS)/mvpipe.bash
	"$(BIN_PATH)/mvpipe" --generate-completion-script zsh > $(COMPLETIONS)/_mvpipe
	"$(BIN_PATH)/mvpipe" --generate-completion-script fish > $(COMPLETIONS)/mvpipe.fish

install: $(BUILD_STEP) completions
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(BASHCOMPDIR)" \
		"$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(FISHCOMPDIR)" "$(DESTDIR)$(CONFDIR)" "$(DESTDIR)$(DOCDIR)/examples"
	$(INSTALL) -m 755 $(INSTALL_STRIP) "$(BIN_PATH)/mvpipe" "$(DESTDIR)$(BINDIR)/mvpipe"
	$(INSTALL) -m 644 docs/mvpipe.1 "$(DESTDIR)$(MANDIR)/man1/mvpipe.1"
	$(INSTALL) -m 644 $(COMPLETIONS)/mvpipe.bash "$(DESTDIR)$(BASHCOMPDIR)/mvpipe"
	$(INSTALL) -m 644 $(COMPLETIONS)/_mvpipe "$(DESTDIR)$(ZSHCOMPDIR)/_mvpipe"
	$(INSTALL) -m 644 $(COMPLETIONS)/mvpipe.fish "$(DESTDIR)$(FISHCOMPDIR)/mvpipe.fish"
	$(INSTALL) -m 644 $(EXAMPLES) "$(DESTDIR)$(DOCDIR)/examples/"
	@if [ -e "$(DESTDIR)$(CONFDIR)/pipeline.json" ]; then \
		echo "keeping the existing $(DESTDIR)$(CONFDIR)/pipeline.json"; \
	else \
		$(INSTALL) -m 644 "$(EXAMPLE)" "$(DESTDIR)$(CONFDIR)/pipeline.json" && \
		echo "installed $(EXAMPLE) as $(DESTDIR)$(CONFDIR)/pipeline.json: edit it, then mvpipe check"; \
	fi

install-systemd:
	$(INSTALL) -d "$(DESTDIR)$(SYSTEMDUNITDIR)"
	sed 's|/usr/local/bin/mvpipe|$(BINDIR)/mvpipe|g' contrib/mvpipe.service > "$(DESTDIR)$(SYSTEMDUNITDIR)/mvpipe.service"
	chmod 644 "$(DESTDIR)$(SYSTEMDUNITDIR)/mvpipe.service"
	$(INSTALL) -m 644 contrib/mvpipe.timer "$(DESTDIR)$(SYSTEMDUNITDIR)/mvpipe.timer"
	@echo "then: systemctl daemon-reload && systemctl enable --now mvpipe.timer"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/mvpipe" "$(DESTDIR)$(MANDIR)/man1/mvpipe.1" \
		"$(DESTDIR)$(BASHCOMPDIR)/mvpipe" "$(DESTDIR)$(ZSHCOMPDIR)/_mvpipe" "$(DESTDIR)$(FISHCOMPDIR)/mvpipe.fish"
	rm -rf "$(DESTDIR)$(DOCDIR)/examples"
	rmdir "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true
	@echo "kept $(DESTDIR)$(CONFDIR) (your config) and the state in /var/lib/mvpipe; remove them by hand if you want"

clean:
	rm -rf $(COMPLETIONS)
