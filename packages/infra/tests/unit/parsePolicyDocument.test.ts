import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../support/parsePolicyDocument.js';

const document = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeSecurityGroups'], Resource: '*' }],
};

describe('parsePolicyDocument (test support for documents read back through IAM)', () => {
  it('reads the URL-encoded JSON that IAM sends', () => {
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
  });

  it('reads plain JSON', () => {
    expect(parsePolicyDocument(JSON.stringify(document))).toEqual(document);
  });

  it("reads the Python repr moto sends for CloudFormation's inline policies, None included", () => {
    const repr =
      "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['ec2:DescribeSecurityGroups'], " +
      "'Resource': '*'}, None], 'Sid': \"it's\", 'Flag': True, 'Max': 3600, 'Path': 'a\\\\b\\x41'}";
    expect(parsePolicyDocument(repr)).toEqual({
      ...document,
      Statement: [...document.Statement, null],
      Sid: "it's",
      Flag: true,
      Max: 3600,
      Path: 'a\\bA',
    });
  });

  it('throws on anything else, rather than returning something empty', () => {
    expect(() => parsePolicyDocument(undefined)).toThrow(/no policy document/);
    expect(() => parsePolicyDocument("{'Action': set(['ec2:X'])}")).toThrow(/not a JSON or Python literal/);
    expect(() => parsePolicyDocument('%7B%22Version')).toThrow();
  });
});
