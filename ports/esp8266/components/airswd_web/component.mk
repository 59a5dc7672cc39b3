# The web page (web/ of the checkout): its files gzip-compressed into C at build time by web/embed.sh, as for the
# Linux daemon, and the lookup that serves them.
WEB := $(COMPONENT_PATH)/../../../../web
WEB_FILES := $(shell cat $(WEB)/files.txt)
COMPONENT_SRCDIRS := ../../../../web
COMPONENT_ADD_INCLUDEDIRS := ../../../../web
COMPONENT_OBJS := web/web_assets.o web_assets_data.o
COMPONENT_EXTRA_CLEAN := web_assets_data.c
CFLAGS += -include $(PROJECT_PATH)/main/esp8266_sizes.h

web_assets_data.c: $(addprefix $(WEB)/,$(WEB_FILES) embed.sh files.txt)
	bash $(WEB)/embed.sh $@ $(WEB) $(WEB_FILES)

web_assets_data.o: web_assets_data.c
	$(CC) $(CFLAGS) $(CPPFLAGS) $(addprefix -I ,$(COMPONENT_INCLUDES)) -I $(WEB) -c $< -o $@
