package com.segmentexport.testkit.campaignmonitor;

import static com.segmentexport.testkit.SimulatorJson.render;
import static com.segmentexport.testkit.SimulatorJson.response;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import mockwebserver3.MockResponse;

/**
 * The shapes of Campaign Monitor's answers for {@link CampaignMonitorSimulator}: errors, import
 * failures and result codes.
 */
final class CampaignMonitorJson {
  private CampaignMonitorJson() {}

  static MockResponse oauthError(String error, String description) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", error);
    out.put("error_description", description);
    return response(400, render(out));
  }

  static boolean fits(String dataType, String text) {
    if (text.length() > CampaignMonitorSimulator.MAX_VALUE_LENGTH) {
      return false;
    }
    switch (dataType) {
      case "Number":
        try {
          Double.parseDouble(text);
          return true;
        } catch (NumberFormatException e) {
          return false;
        }
      case "Date":
        return text.matches("\\d{4}/\\d{2}/\\d{2}")
            && text.compareTo("1900/01/01") >= 0
            && text.compareTo("2076/06/06") <= 0;
      default:
        return true;
    }
  }

  static int codeFor(String category) {
    switch (category) {
      case "":
      case "invalid":
        return 1;
      case "suppressed":
        return 204;
      case "deleted":
        return 205;
      case "unsubscribed":
        return 206;
      case "bounced":
        return 207;
      case "unconfirmed":
        return 208;
      default:
        return Integer.parseInt(category);
    }
  }

  static int codeForState(String state) {
    switch (state) {
      case CampaignMonitorSimulator.DELETED:
        return 205;
      case CampaignMonitorSimulator.UNSUBSCRIBED:
        return 206;
      case CampaignMonitorSimulator.BOUNCED:
        return 207;
      default:
        return 208;
    }
  }

  static Map<String, Object> failure(String email, int code) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("EmailAddress", email);
    f.put("Code", code);
    f.put("Message", messageFor(code));
    return f;
  }

  static String messageFor(int code) {
    switch (code) {
      case 1:
        return "Invalid Email Address";
      case 204:
        return "In Suppression List";
      case 205:
        return "Is Deleted";
      case 206:
        return "Is Unsubscribed";
      case 207:
        return "Is Bounced";
      case 208:
        return "Is Unconfirmed";
      default:
        return "Subscriber was not added";
    }
  }

  static String hexId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  static MockResponse methodNotAllowed() {
    return error(405, 405, "Method not allowed");
  }

  static MockResponse error(int status, int code, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Code", code);
    m.put("Message", message);
    return response(status, render(m));
  }
}
