import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  auditVerb,
  parseQuery,
  parseRequestAttributes,
  type RequestAttributes,
} from "../../../src/gateway/request-attributes.ts";
import { BadRequest } from "../../../src/shared/errors.ts";

function parse(method: string, url: string): RequestAttributes {
  const [path = "", query = ""] = url.split("?", 2);
  return parseRequestAttributes(method, path, parseQuery(query));
}

type Row = [
  method: string,
  url: string,
  verb: string,
  apiPrefix: string,
  apiGroup: string,
  apiVersion: string,
  namespace: string,
  resource: string,
  subresource: string,
  name: string,
];

// kubernetes/apiserver requestinfo_test.go, TestGetAPIRequestInfo's success cases.
const upstream: Row[] = [
  ["GET", "/api/v1/namespaces", "list", "api", "", "v1", "", "namespaces", "", ""],
  ["GET", "/api/v1/namespaces/other", "get", "api", "", "v1", "other", "namespaces", "", "other"],
  ["GET", "/api/v1/namespaces/other/pods", "list", "api", "", "v1", "other", "pods", "", ""],
  ["GET", "/api/v1/namespaces/other/pods/foo", "get", "api", "", "v1", "other", "pods", "", "foo"],
  ["HEAD", "/api/v1/namespaces/other/pods/foo", "get", "api", "", "v1", "other", "pods", "", "foo"],
  ["GET", "/api/v1/pods", "list", "api", "", "v1", "", "pods", "", ""],
  ["HEAD", "/api/v1/pods", "list", "api", "", "v1", "", "pods", "", ""],
  ["GET", "/api/v1/proxy/namespaces/other/pods/foo", "proxy", "api", "", "v1", "other", "pods", "", "foo"],
  [
    "GET",
    "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource",
    "proxy",
    "api",
    "",
    "v1",
    "other",
    "pods",
    "",
    "foo",
  ],
  ["GET", "/api/v1/watch/pods", "watch", "api", "", "v1", "", "pods", "", ""],
  ["GET", "/api/v1/pods?watch=true", "watch", "api", "", "v1", "", "pods", "", ""],
  ["GET", "/api/v1/pods?watch=false", "list", "api", "", "v1", "", "pods", "", ""],
  ["GET", "/api/v1/watch/namespaces/other/pods", "watch", "api", "", "v1", "other", "pods", "", ""],
  ["GET", "/api/v1/namespaces/other/pods?watch=1", "watch", "api", "", "v1", "other", "pods", "", ""],
  ["GET", "/api/v1/namespaces/other/pods?watch=0", "list", "api", "", "v1", "other", "pods", "", ""],
  [
    "GET",
    "/api/v1/namespaces/other/pods/foo/status",
    "get",
    "api",
    "",
    "v1",
    "other",
    "pods",
    "status",
    "foo",
  ],
  [
    "GET",
    "/api/v1/namespaces/other/pods/foo/proxy/subpath",
    "get",
    "api",
    "",
    "v1",
    "other",
    "pods",
    "proxy",
    "foo",
  ],
  [
    "PUT",
    "/api/v1/namespaces/other/finalize",
    "update",
    "api",
    "",
    "v1",
    "other",
    "namespaces",
    "finalize",
    "other",
  ],
  [
    "PUT",
    "/api/v1/namespaces/other/status",
    "update",
    "api",
    "",
    "v1",
    "other",
    "namespaces",
    "status",
    "other",
  ],
  ["PATCH", "/api/v1/namespaces/other/pods/foo", "patch", "api", "", "v1", "other", "pods", "", "foo"],
  ["DELETE", "/api/v1/namespaces/other/pods/foo", "delete", "api", "", "v1", "other", "pods", "", "foo"],
  ["POST", "/api/v1/namespaces/other/pods", "create", "api", "", "v1", "other", "pods", "", ""],
  ["DELETE", "/api/v1/nodes", "deletecollection", "api", "", "v1", "", "nodes", "", ""],
  ["DELETE", "/api/v1/namespaces", "deletecollection", "api", "", "v1", "", "namespaces", "", ""],
  ["DELETE", "/api/v1/namespaces/other/pods", "deletecollection", "api", "", "v1", "other", "pods", "", ""],
  [
    "DELETE",
    "/apis/extensions/v1/namespaces/other/pods",
    "deletecollection",
    "apis",
    "extensions",
    "v1",
    "other",
    "pods",
    "",
    "",
  ],
  [
    "POST",
    "/apis/extensions/v1/namespaces/other/pods",
    "create",
    "apis",
    "extensions",
    "v1",
    "other",
    "pods",
    "",
    "",
  ],
  [
    "POST",
    "/apis/extensions/v1beta3/namespaces/other/pods",
    "create",
    "apis",
    "extensions",
    "v1beta3",
    "other",
    "pods",
    "",
    "",
  ],
];

// What kubectl sends, and the cases the brief names.
const kubectl: Row[] = [
  [
    "GET",
    "/api/v1/namespaces/team-a/pods/web-1/log?follow=true",
    "get",
    "api",
    "",
    "v1",
    "team-a",
    "pods",
    "log",
    "web-1",
  ],
  ["GET", "/api/v1/namespaces/team-a/pods?limit=500", "list", "api", "", "v1", "team-a", "pods", "", ""],
  [
    "GET",
    "/api/v1/namespaces/team-a/pods?watch=true&resourceVersion=42",
    "watch",
    "api",
    "",
    "v1",
    "team-a",
    "pods",
    "",
    "",
  ],
  [
    "GET",
    "/api/v1/namespaces/team-a/pods/web-1/exec?command=ls&stdout=true",
    "get",
    "api",
    "",
    "v1",
    "team-a",
    "pods",
    "exec",
    "web-1",
  ],
  [
    "POST",
    "/api/v1/namespaces/team-a/pods/web-1/exec?command=ls",
    "create",
    "api",
    "",
    "v1",
    "team-a",
    "pods",
    "exec",
    "web-1",
  ],
  [
    "POST",
    "/api/v1/namespaces/team-a/pods/web-1/portforward",
    "create",
    "api",
    "",
    "v1",
    "team-a",
    "pods",
    "portforward",
    "web-1",
  ],
  [
    "POST",
    "/api/v1/namespaces/kube-broker-grants/serviceaccounts/kb-dev-1a2b/token",
    "create",
    "api",
    "",
    "v1",
    "kube-broker-grants",
    "serviceaccounts",
    "token",
    "kb-dev-1a2b",
  ],
  [
    "GET",
    "/apis/apps/v1/namespaces/team-a/deployments/web",
    "get",
    "apis",
    "apps",
    "v1",
    "team-a",
    "deployments",
    "",
    "web",
  ],
  [
    "PATCH",
    "/apis/apps/v1/namespaces/team-a/deployments/web/scale",
    "patch",
    "apis",
    "apps",
    "v1",
    "team-a",
    "deployments",
    "scale",
    "web",
  ],
  ["GET", "/api/v1/nodes/node-1", "get", "api", "", "v1", "", "nodes", "", "node-1"],
  [
    "GET",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "list",
    "apis",
    "rbac.authorization.k8s.io",
    "v1",
    "",
    "clusterroles",
    "",
    "",
  ],
  [
    "POST",
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    "create",
    "apis",
    "authorization.k8s.io",
    "v1",
    "",
    "selfsubjectaccessreviews",
    "",
    "",
  ],
  [
    "POST",
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    "create",
    "apis",
    "authentication.k8s.io",
    "v1",
    "",
    "selfsubjectreviews",
    "",
    "",
  ],
  ["GET", "/api/v1/namespaces/team-a/pods/?watch=1", "watch", "api", "", "v1", "team-a", "pods", "", ""],
  ["OPTIONS", "/api/v1/pods", "", "api", "", "v1", "", "pods", "", ""],
  ["GET", "/api/v1/namespaces/a%20b/pods/%E2%9C%93", "get", "api", "", "v1", "a b", "pods", "", "✓"],
];

function check(rows: Row[]): void {
  for (const [
    method,
    url,
    verb,
    apiPrefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
  ] of rows) {
    it(`${method} ${url}`, () => {
      const { path, ...attrs } = parse(method, url);
      assert.deepEqual(attrs, {
        isResourceRequest: true,
        verb,
        apiPrefix,
        apiGroup,
        apiVersion,
        namespace,
        resource,
        subresource,
        name,
      });
    });
  }
}

describe("parseRequestAttributes", () => {
  describe("the API server's own cases", () => check(upstream));
  describe("what kubectl sends", () => check(kubectl));

  describe("non-resource requests", () => {
    const urls = [
      "/",
      "",
      "/api",
      "/api/v1",
      "/api/v1/",
      "/apis",
      "/apis/apps",
      "/apis/apps/v1",
      "/apis/extensions/v1beta1/",
      "/version",
      "/healthz",
      "/livez/ping",
      "/openapi/v2",
      "/openapi/v3/apis/apps/v1",
      "/.well-known/openid-configuration",
      "/badprefix/version/resource",
      "/not-api/version/resource",
      "/apis/version/resource",
    ];
    for (const url of urls) {
      it(`GET ${JSON.stringify(url)} is not a resource request`, () => {
        const attrs = parse("GET", url);
        assert.equal(attrs.isResourceRequest, false);
        assert.equal(attrs.verb, "get");
        assert.equal(attrs.resource, "");
      });
    }

    it("uses the lowercase method as the verb", () => {
      assert.equal(parse("HEAD", "/version").verb, "head");
      assert.equal(parse("POST", "/apis").verb, "post");
    });

    it("keeps the decoded path", () => {
      assert.equal(parse("GET", "/openapi/v3/apis/apps/v1").path, "/openapi/v3/apis/apps/v1");
      assert.equal(parse("GET", "").path, "/");
      assert.equal(parse("GET", "/api/v1/").path, "/api/v1/");
    });
  });

  describe("requests the API server's tests count as resource requests", () => {
    for (const url of [
      "/api/version/resource",
      "/apis/group/version/resource/name/subresource",
      "/api/version/resource/name/subresource",
      "/apis/batch/v1/job",
      "/apis/batch/v1/job/foo",
      "/apis/batch/v1/job/foo/scale",
    ]) {
      it(url, () => assert.equal(parse("GET", url).isResourceRequest, true));
    }
  });

  describe("field selectors on lists (TestFieldSelectorParsing)", () => {
    const cases: [url: string, name: string, verb: string][] = [
      ["/apis/group/version/resource", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1", "name1", "list"],
      ["/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1", "name1", "watch"],
      ["/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true", "", "watch"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false", "", "list"],
      [
        "/apis/group/version/resource?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar&labelSelector=foo=bar",
        "foo",
        "list",
      ],
      ["/apis/group/version/resource/name?fieldSelector=foo=bar", "name", "get"],
      ["/apis/group/version/watch/resource?fieldSelector=metadata.name=foo", "", "watch"],
      ["/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo", "name", "watch"],
      // Beyond upstream's table: the same rules, read from fields.ParseSelector and path validation.
      ["/api/v1/pods?fieldSelector=metadata.name%3D%3Dweb", "web", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name!%3Dweb", "", "list"],
      ["/api/v1/pods?fieldSelector=status.phase%3DRunning,metadata.name%3Dweb", "web", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3Da/b", "", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3D..", "", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3Da%25b", "", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3Da%5C,b", "a,b", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3Dweb&limit=abc", "", "list"],
      ["/api/v1/pods?fieldSelector=metadata.name%3Dweb&limit=500&timeoutSeconds=%2B30", "web", "list"],
      [
        "/api/v1/pods?fieldSelector=metadata.name%3Dweb&timeoutSeconds=99999999999999999999&watch=1",
        "",
        "watch",
      ],
    ];
    for (const [url, name, verb] of cases) {
      it(url, () => {
        const attrs = parse("GET", url);
        assert.equal(attrs.verb, verb);
        assert.equal(attrs.name, name);
      });
    }

    it("never makes a DELETE of a collection a delete of one object", () => {
      const attrs = parse("DELETE", "/api/v1/namespaces/a/pods?fieldSelector=metadata.name%3Dweb");
      assert.equal(attrs.verb, "deletecollection");
      assert.equal(attrs.name, "");
    });
  });

  describe("watch values", () => {
    const cases: [value: string, verb: string][] = [
      ["true", "watch"],
      ["1", "watch"],
      ["", "watch"],
      ["yes", "watch"],
      ["false", "list"],
      ["FALSE", "list"],
      ["False", "list"],
      ["0", "list"],
      ["00", "watch"],
      ["fal%C5%BFe", "list"], // strings.EqualFold folds the long s
    ];
    for (const [value, verb] of cases) {
      it(`watch=${value} is a ${verb}`, () =>
        assert.equal(parse("GET", `/api/v1/pods?watch=${value}`).verb, verb));
    }

    it("reads the first watch value only", () => {
      assert.equal(parse("GET", "/api/v1/pods?watch=false&watch=true").verb, "list");
    });

    it("falls back to a plain lowercase comparison when the other options do not decode", () => {
      assert.equal(parse("GET", "/api/v1/pods?limit=x&watch=FALSE").verb, "list");
      assert.equal(parse("GET", "/api/v1/pods?limit=x&watch=fal%C5%BFe").verb, "watch");
    });

    it("ignores query pairs Go's url.ParseQuery drops", () => {
      assert.equal(parse("GET", "/api/v1/pods?watch=%zz").verb, "list");
      assert.equal(parse("GET", "/api/v1/pods?watch=1;x=2").verb, "list");
    });
  });

  describe("refused paths", () => {
    const refused: [path: string, why: RegExp][] = [
      ["/api/v1/namespaces/../pods", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/./pods", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/%2e%2e/pods", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/%2E%2e/pods", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/.%2e/pods", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/%2e/pods", /"\." or "\.\." segment/],
      ["/..", /"\." or "\.\." segment/],
      ["/api/v1/namespaces/a%2Fb/pods", /encoded slash/],
      ["/api/v1/namespaces/a%2fb/pods", /encoded slash/],
      ["/api/v1/namespaces/a%5Cb/pods", /encoded backslash/],
      ["/api/v1/namespaces/a%5cb/pods", /encoded backslash/],
      ["/api/v1/namespaces/a\\b/pods", /backslash/],
      ["/api/v1/namespaces/a%00/pods", /control character/],
      ["/api/v1/namespaces/a%0A/pods", /control character/],
      ["/api/v1/namespaces/a%C2%85/pods", /control character/],
      ["/api//v1/pods", /empty segment/],
      ["//api/v1/pods", /empty segment/],
      ["/api/v1/pods//", /empty segment/],
      ["/api/v1/%ff/pods", /UTF-8/],
      ["/api/v1/%C0%AF/pods", /UTF-8/],
      ["/api/v1/%ED%A0%80/pods", /UTF-8/],
      ["/api/v1/%zz/pods", /malformed percent-escape "%zz"/],
      ["/api/v1/pods/a%4", /malformed percent-escape "%4"/],
      ["/api/v1/pods/a%", /malformed percent-escape "%"/],
      ["/api/v1/pods/é", /"é" unencoded/],
      ["/api/v1/pods/a b", /" " unencoded/],
      ["/api/v1/pods/a\u0000", /unencoded/],
      ["/api/v1/pods?watch=1", /"\?" unencoded/],
      ["api/v1/pods", /does not start with/],
      ["/api/v1/watch", /names no resource after "watch"/],
      ["/apis/apps/v1/proxy/", /names no resource after "proxy"/],
    ];
    for (const [path, why] of refused) {
      it(JSON.stringify(path), () => {
        assert.throws(
          () => parseRequestAttributes("GET", path, new URLSearchParams()),
          (err: unknown) => err instanceof BadRequest && err.code === 400 && why.test(err.message),
        );
      });
    }
  });
});

describe("names that are also JavaScript object properties", () => {
  it("are plain names", () => {
    assert.equal(parse("constructor", "/api/v1/pods").verb, "");
    assert.equal(parse("toString", "/version").verb, "tostring");
    const attrs = parse("GET", "/api/v1/namespaces/a/pods/p/constructor");
    assert.equal(attrs.subresource, "constructor");
    assert.equal(auditVerb(attrs), "get");
    assert.equal(auditVerb(parse("GET", "/api/v1/namespaces/a/__proto__/p/exec")), "get");
  });
});

describe("auditVerb", () => {
  const cases: [method: string, url: string, verb: string][] = [
    ["GET", "/api/v1/namespaces/a/pods/p/exec?command=sh", "exec"],
    ["POST", "/api/v1/namespaces/a/pods/p/exec?command=sh", "exec"],
    ["POST", "/api/v1/namespaces/a/pods/p/attach", "attach"],
    ["GET", "/api/v1/namespaces/a/pods/p/portforward", "portforward"],
    ["GET", "/api/v1/namespaces/a/pods/p/proxy/metrics", "proxy"],
    ["GET", "/api/v1/namespaces/a/services/s/proxy", "proxy"],
    ["GET", "/api/v1/nodes/n/proxy/stats", "proxy"],
    ["GET", "/api/v1/proxy/namespaces/a/pods/p", "proxy"],
    ["GET", "/api/v1/namespaces/a/pods/p/log", "get"],
    ["GET", "/api/v1/namespaces/a/pods?watch=1", "watch"],
    ["DELETE", "/api/v1/namespaces/a/pods", "deletecollection"],
    ["GET", "/apis/example.io/v1/namespaces/a/pods/p/exec", "get"],
    ["GET", "/api/v1/namespaces/a/configmaps/c/exec", "get"],
    ["GET", "/version", "get"],
  ];
  for (const [method, url, verb] of cases) {
    it(`${method} ${url} is audited as ${verb}`, () => assert.equal(auditVerb(parse(method, url)), verb));
  }
});
